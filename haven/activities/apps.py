from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "haven.activities"
    label = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        from haven.activities.models import REMINDER_EMAIL, ActivityAudit
        from haven.core.audit_actions import register_audit_actions
        from haven.core.email_kinds import register_email_kind

        register_audit_actions(ActivityAudit)
        register_email_kind(REMINDER_EMAIL)
        from haven.activities import jobs  # noqa: F401  (registers its periodic jobs)
