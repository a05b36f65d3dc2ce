from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "haven.home"
    label = "home"
    verbose_name = "Home"
