"""ASGI entry point: Django's HTTP application and the live-chat websockets (Channels)."""

import os
from collections.abc import Awaitable, Callable

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
django_application = get_asgi_application()  # sets Django up before the consumers import

from asgiref.sync import sync_to_async  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from haven.accesslog import AccessLog  # noqa: E402
from haven.core.origins import SameOriginWebsockets  # noqa: E402
from haven.core.processes import (  # noqa: E402
    announce_from_environment,
    announce_stopping,
    freeze_startup_objects,
)
from haven.support.live.routing import websocket_urlpatterns  # noqa: E402

# Only pages served from HAVEN_BASE_URL (scheme, host and port) may open a websocket.
websocket_application = SameOriginWebsockets(
    AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
if os.environ.get("HAVEN_BENCH_RELAY") == "1":
    # `make bench` only: a bare relay at ws/bench-relay/<pair>/ to compare the chat against.
    # bench/ is not installed with Haven, so this cannot be switched on in production.
    from bench._relay import with_relay

    websocket_application = with_relay(websocket_application)



async def lifespan(scope: dict, receive: Callable[[], Awaitable[dict]],
                   send: Callable[[dict], Awaitable[None]]) -> None:
    """Each server process says when it starts and stops (`haven serve` turns the lifespan
    on): the vault then records which master keys it holds, and forgets it on a clean
    shutdown, which signals alone cannot promise (uvicorn ends on the default SIGTERM). At
    the start it also freezes what it has loaded, out of the garbage collector's way."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await sync_to_async(announce_from_environment)()
            freeze_startup_objects()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await sync_to_async(announce_stopping)()
            await send({"type": "lifespan.shutdown.complete"})
            return


application = AccessLog(ProtocolTypeRouter({
    "http": django_application,
    "websocket": websocket_application,
    "lifespan": lifespan,
}), websocket_patterns=websocket_urlpatterns)
