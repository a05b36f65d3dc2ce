from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "haven.questions"
    label = "questions"
    verbose_name = "Open questions"
