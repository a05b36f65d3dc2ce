from django.apps import AppConfig


class CoffeeConfig(AppConfig):
    name = "haven.coffee"
    label = "coffee"
    verbose_name = "Coffee pairings"

    def ready(self) -> None:
        from haven.coffee import jobs  # noqa: F401  (registers its periodic jobs)
