from django.apps import AppConfig


class CoachConfig(AppConfig):
    name = "haven.coach"
    label = "coach"
    verbose_name = "Empathy coach"
