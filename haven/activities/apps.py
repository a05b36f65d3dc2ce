from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "haven.activities"
    label = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        from haven.activities import jobs  # noqa: F401  (registers its periodic jobs)
