from django.apps import AppConfig


class CoffeeConfig(AppConfig):
    name = "haven.coffee"
    label = "coffee"
    verbose_name = "Coffee pairings"

    def ready(self) -> None:
        from haven.coffee.models import CoffeeAudit
        from haven.core.audit_actions import register_audit_actions

        register_audit_actions(CoffeeAudit)
        from haven.coffee import jobs  # noqa: F401  (registers its periodic jobs)
