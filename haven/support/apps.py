from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "haven.support"
    label = "support"
    verbose_name = "Peer support"

    def ready(self) -> None:
        from haven.core.audit_actions import register_audit_actions
        from haven.core.email_kinds import register_email_kind
        from haven.support.models import REMINDER_EMAIL, SupportAudit

        register_audit_actions(SupportAudit)
        register_email_kind(REMINDER_EMAIL)
        from haven.support import jobs, receivers  # noqa: F401  (signal handlers, periodic jobs)
