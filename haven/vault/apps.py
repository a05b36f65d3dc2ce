from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "haven.vault"
    label = "vault"
    verbose_name = "Encryption vault"

    def ready(self) -> None:
        from haven.core.processes import process_started, process_stopping
        from haven.vault.holders import on_process_started, on_process_stopping

        process_started.connect(on_process_started, dispatch_uid="vault-key-holder")
        process_stopping.connect(on_process_stopping, dispatch_uid="vault-key-holder")
