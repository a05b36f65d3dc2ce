from django.apps import AppConfig


class ConnectConfig(AppConfig):
    name = "haven.connect"
    label = "connect"
    verbose_name = "Connection"
