"""The demo organisation: seeding it, serving it (`haven demo`) and its sign-in helpers. It sits
above every feature app (it seeds them all), so core knows nothing of it."""
