from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "haven.questions"
    label = "questions"
    verbose_name = "Open questions"

    def ready(self) -> None:
        from haven.core.audit_actions import register_audit_actions
        from haven.questions.models import QuestionAudit

        register_audit_actions(QuestionAudit)
