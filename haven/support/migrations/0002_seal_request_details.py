"""Seal each request's topic, person of concern, pseudonym and preferences under its
conversation's data key; forget who asked in erased conversations; and stop the audit log
naming the participants of support conversations (issue 10). Backwards, the details come back
in clear, except for erased conversations, whose requester cannot come back at all."""

import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FIELDS = ("topic", "use_pseudonym", "pseudonym", "avoid_my_team", "avoid_my_department",
          "person_of_concern_id", "preferred_supporter_id")


def _aad(submission_id):
    return f"support-request:{submission_id}:details"


def seal_details(apps, schema_editor):
    from haven.vault import crypto

    SupportRequest = apps.get_model("support", "SupportRequest")
    Conversation = apps.get_model("support", "Conversation")
    for support_request in SupportRequest.objects.all().iterator():
        conversation = (Conversation.objects.select_related("data_key")
                        .filter(request_id=support_request.pk).first())
        if conversation is None or conversation.data_key.wrapped is None:
            support_request.sealed_details = b""
            support_request.requester_id = None
            if conversation is not None:
                Conversation.objects.filter(pk=conversation.pk).update(colleague=None)
        else:
            fields = {name: getattr(support_request, name) for name in FIELDS}
            support_request.sealed_details = crypto.seal(
                conversation.data_key, json.dumps(fields, sort_keys=True),
                aad=_aad(support_request.submission_id))
        support_request.save(update_fields=["sealed_details", "requester"])


def unseal_details(apps, schema_editor):
    from haven.vault import crypto

    SupportRequest = apps.get_model("support", "SupportRequest")
    Conversation = apps.get_model("support", "Conversation")
    for support_request in SupportRequest.objects.all().iterator():
        conversation = (Conversation.objects.select_related("data_key")
                        .filter(request_id=support_request.pk).first())
        if not support_request.sealed_details or conversation is None \
                or conversation.data_key.wrapped is None:
            support_request.topic = "other"  # erased: the details are gone for good
            support_request.save(update_fields=["topic"])
            continue
        fields = json.loads(crypto.open_sealed(conversation.data_key,
                                               support_request.sealed_details,
                                               aad=_aad(support_request.submission_id)))
        for name in FIELDS:
            setattr(support_request, name, fields[name])
        support_request.save(update_fields=[name.removesuffix("_id") for name in FIELDS])


def pseudonymise_audit(apps, schema_editor):
    """Past rows named participants; from now on they carry the conversation's pseudonym.
    Rows of conversations already erased keep no stand-in at all."""
    from haven.vault import crypto

    AuditEvent = apps.get_model("core", "AuditEvent")
    Conversation = apps.get_model("support", "Conversation")
    Offer = apps.get_model("support", "Offer")
    for conversation in Conversation.objects.select_related("data_key").iterator():
        participants = set(Offer.objects.filter(request_id=conversation.request_id,
                                                state="accepted")
                           .values_list("supporter_id", flat=True))
        participants |= {conversation.colleague_id, conversation.supporter_id}
        participants.discard(None)
        rows = AuditEvent.objects.filter(object_type="conversation",
                                         object_id=str(conversation.pk),
                                         actor_id__in=participants)
        for event in rows.iterator():
            pseudonym = "erased"
            if conversation.data_key.wrapped is not None:
                pseudonym = crypto.keyed_pseudonym(conversation.data_key,
                                                   f"person:{event.actor_id}")
            AuditEvent.objects.filter(pk=event.pk).update(
                actor=None, actor_pseudonym=pseudonym, ip_hash="",
                at=event.at.replace(minute=0, second=0, microsecond=0))


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0007_audit_actor_pseudonym"),
        ("support", "0001_initial"),
        ("vault", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="supportrequest",
            name="sealed_details",
            field=models.BinaryField(default=b""),
        ),
        migrations.AlterField(
            model_name="conversation",
            name="colleague",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="conversations_as_colleague",
                                    to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name="supportrequest",
            name="requester",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="support_requests",
                                    to=settings.AUTH_USER_MODEL),
        ),
        # A default, so that going backwards can add the column back to existing rows.
        migrations.AlterField(
            model_name="supportrequest",
            name="topic",
            field=models.CharField(default="other", max_length=40),
        ),
        # First, while erased conversations still say who their colleague was.
        migrations.RunPython(pseudonymise_audit, migrations.RunPython.noop),
        migrations.RunPython(seal_details, unseal_details),
        migrations.RemoveField(model_name="supportrequest", name="avoid_my_department"),
        migrations.RemoveField(model_name="supportrequest", name="avoid_my_team"),
        migrations.RemoveField(model_name="supportrequest", name="person_of_concern"),
        migrations.RemoveField(model_name="supportrequest", name="preferred_supporter"),
        migrations.RemoveField(model_name="supportrequest", name="pseudonym"),
        migrations.RemoveField(model_name="supportrequest", name="topic"),
        migrations.RemoveField(model_name="supportrequest", name="use_pseudonym"),
    ]
