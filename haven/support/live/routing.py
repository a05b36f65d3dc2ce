from django.urls import path

from haven.support.live.consumers import ConversationConsumer

websocket_urlpatterns = [
    path("ws/conversations/<int:conversation_id>/", ConversationConsumer.as_asgi(),
         name="conversation_socket"),
]
