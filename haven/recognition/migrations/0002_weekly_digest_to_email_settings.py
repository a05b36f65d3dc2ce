"""The weekly digest becomes one of core's optional e-mails: each "no digest" choice moves to an
EmailOptOut row of kind recognition_digest, and going back moves it home again."""

from typing import Any

from django.db import migrations

KIND = "recognition_digest"


def to_email_settings(apps: Any, schema_editor: Any) -> None:
    preferences = apps.get_model("recognition", "RecognitionPreferences")
    opt_out = apps.get_model("core", "EmailOptOut")
    opt_out.objects.bulk_create(
        [opt_out(person_id=person_id, kind=KIND) for person_id in
         preferences.objects.filter(weekly_digest=False).values_list("person_id", flat=True)],
        ignore_conflicts=True)


def back_to_recognition(apps: Any, schema_editor: Any) -> None:
    preferences = apps.get_model("recognition", "RecognitionPreferences")
    opt_out = apps.get_model("core", "EmailOptOut")
    for person_id in opt_out.objects.filter(kind=KIND).values_list("person_id", flat=True):
        preferences.objects.update_or_create(person_id=person_id,
                                             defaults={"weekly_digest": False})
    opt_out.objects.filter(kind=KIND).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0012_email_opt_outs"),
        ("recognition", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_email_settings, back_to_recognition),
        migrations.RemoveField(model_name="recognitionpreferences", name="weekly_digest"),
    ]
