"""ASGI entry point: Django's HTTP application and the live-chat websockets (Channels)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
django_application = get_asgi_application()  # sets Django up before the consumers import

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from haven.accesslog import AccessLog  # noqa: E402
from haven.core.origins import SameOriginWebsockets  # noqa: E402
from haven.support.routing import websocket_urlpatterns  # noqa: E402

# Only pages served from HAVEN_BASE_URL (scheme, host and port) may open a websocket.
websocket_application = SameOriginWebsockets(
    AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
if os.environ.get("HAVEN_BENCH_RELAY") == "1":
    # `make bench` only: a bare relay at ws/bench-relay/<pair>/ to compare the chat against.
    # bench/ is not installed with Haven, so this cannot be switched on in production.
    from bench._relay import with_relay

    websocket_application = with_relay(websocket_application)

application = AccessLog(ProtocolTypeRouter({
    "http": django_application,
    "websocket": websocket_application,
}), websocket_patterns=websocket_urlpatterns)
