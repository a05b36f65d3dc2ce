from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "haven.activities"
    label = "activities"
    verbose_name = "Activities"
