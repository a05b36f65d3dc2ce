from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "haven.core"
    label = "core"
    verbose_name = "Organisation directory"

    def ready(self) -> None:
        from haven.core.audit_actions import register_audit_actions
        from haven.core.models import AuditAction

        register_audit_actions(AuditAction)
        from haven.core import checks, jobs, receivers  # noqa: F401  (handlers, checks, jobs)
