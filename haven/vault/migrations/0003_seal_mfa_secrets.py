"""Seal every two-factor secret stored in clear before the vault's MFA adapter existed."""

from typing import Any

from django.db import migrations

from haven.vault.mfa import open_stored_secrets, seal_stored_secrets


def seal_mfa_secrets(apps: Any, schema_editor: Any) -> None:
    seal_stored_secrets(authenticators=apps.get_model("mfa", "Authenticator"),
                        data_keys=apps.get_model("vault", "DataKey"))


def open_mfa_secrets(apps: Any, schema_editor: Any) -> None:
    open_stored_secrets(authenticators=apps.get_model("mfa", "Authenticator"),
                        data_keys=apps.get_model("vault", "DataKey"))


class Migration(migrations.Migration):
    dependencies = [
        ("vault", "0002_master_key_state_and_holders"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.RunPython(seal_mfa_secrets, open_mfa_secrets),
    ]
