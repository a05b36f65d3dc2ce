from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "haven.activities"
    label = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        from haven.activities.models import ActivityAudit
        from haven.core.audit_actions import register_audit_actions

        register_audit_actions(ActivityAudit)
        from haven.activities import jobs  # noqa: F401  (registers its periodic jobs)
