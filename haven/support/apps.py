from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "haven.support"
    label = "support"
    verbose_name = "Peer support"
