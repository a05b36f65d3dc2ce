from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "haven.vault"
    label = "vault"
    verbose_name = "Encryption vault"
