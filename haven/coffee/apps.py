from django.apps import AppConfig


class CoffeeConfig(AppConfig):
    name = "haven.coffee"
    label = "coffee"
    verbose_name = "Coffee pairings"
