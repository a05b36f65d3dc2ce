from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "haven.insight"
    label = "insight"
    verbose_name = "Inclusion insight"
