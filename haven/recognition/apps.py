from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "haven.recognition"
    label = "recognition"
    verbose_name = "Recognition"

    def ready(self) -> None:
        from haven.core.audit_actions import register_audit_actions
        from haven.core.email_kinds import register_email_kind
        from haven.recognition.models import DIGEST_EMAIL, RecognitionAudit

        register_audit_actions(RecognitionAudit)
        register_email_kind(DIGEST_EMAIL)
        from haven.recognition import jobs  # noqa: F401  (registers its periodic jobs)
