from django.apps import AppConfig


class CoffeeConfig(AppConfig):
    name = "haven.coffee"
    label = "coffee"
    verbose_name = "Coffee pairings"

    def ready(self) -> None:
        from haven.coffee.models import COFFEE_EMAIL, CoffeeAudit
        from haven.core.audit_actions import register_audit_actions
        from haven.core.email_kinds import register_email_kind

        register_audit_actions(CoffeeAudit)
        register_email_kind(COFFEE_EMAIL)
        from haven.coffee import jobs  # noqa: F401  (registers its periodic jobs)
