"""Live chat: the websocket consumer, its routes, its session keeping and its events."""
