from django.apps import AppConfig
from django.db.models.signals import post_delete


class VaultConfig(AppConfig):
    name = "haven.vault"
    label = "vault"
    verbose_name = "Encryption vault"

    def ready(self) -> None:
        from haven.core.audit_actions import register_audit_actions
        from haven.vault.models import VaultAudit

        register_audit_actions(VaultAudit)
        from allauth.mfa.models import Authenticator

        from haven.core.health import register_check
        from haven.core.processes import process_started, process_stopping
        from haven.vault.holders import (
            on_process_started,
            on_process_stopping,
            worker_health,
        )
        from haven.vault.mfa import authenticator_removed

        post_delete.connect(authenticator_removed, sender=Authenticator,
                            dispatch_uid="haven.vault.mfa.authenticator_removed")
        process_started.connect(on_process_started, dispatch_uid="vault-key-holder")
        process_stopping.connect(on_process_stopping, dispatch_uid="vault-key-holder")
        register_check("worker", worker_health)  # /healthz and /metrics: the heartbeat rows
