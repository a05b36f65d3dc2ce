from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "haven.recognition"
    label = "recognition"
    verbose_name = "Recognition"

    def ready(self) -> None:
        from haven.recognition import jobs  # noqa: F401  (registers its periodic jobs)
