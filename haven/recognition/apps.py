from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "haven.recognition"
    label = "recognition"
    verbose_name = "Recognition"

    def ready(self) -> None:
        from haven.core.audit_actions import register_audit_actions
        from haven.recognition.models import RecognitionAudit

        register_audit_actions(RecognitionAudit)
        from haven.recognition import jobs  # noqa: F401  (registers its periodic jobs)
