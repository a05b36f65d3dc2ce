from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "haven.support"
    label = "support"
    verbose_name = "Peer support"

    def ready(self) -> None:
        from haven.support import jobs, receivers  # noqa: F401  (signal handlers, periodic jobs)
