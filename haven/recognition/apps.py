from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "haven.recognition"
    label = "recognition"
    verbose_name = "Recognition"
