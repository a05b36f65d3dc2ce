# Anonymous questions become anonymous to a database thief: the author, a keyed hash of the
# person's id under SECRET_KEY (testable against every id), is sealed under the vault instead;
# votes, which named the voter, become pseudonyms under a per-question key for questions still
# open, and only a count for closed ones; every question keeps only its UTC day.
#
# The data step needs the master keys (as `migrate` always has). It cannot be reversed on a
# database with questions (0007 refuses): the links it removes are not kept anywhere. 0007 then drops the old columns (apart,
# because PostgreSQL alters no table with foreign-key checks still pending in the transaction).

import hashlib
import hmac
from datetime import UTC

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _day(moment):
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _old_author_hash(person_id):
    # What haven.core.audit.hash_identifier made of "question-participant:<id>" before this.
    digest = hmac.new(settings.SECRET_KEY.encode(),
                      f"question-participant:{person_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def rekey(apps, schema_editor):
    from haven.vault import crypto

    Question = apps.get_model("connect", "Question")
    if not Question.objects.exists():
        return  # a new install: nothing to move, and no key made before it is needed
    QuestionVote = apps.get_model("connect", "QuestionVote")
    QuestionParticipant = apps.get_model("connect", "QuestionParticipant")
    QuestionKeys = apps.get_model("connect", "QuestionKeys")
    DataKey = apps.get_model("vault", "DataKey")
    Person = apps.get_model(settings.AUTH_USER_MODEL)

    def new_key(purpose, created_at):
        record = DataKey(purpose=purpose, created_at=created_at)
        record.master_key_id, record.wrapped, raw = crypto.wrap_new_key(str(record.id))
        record.save(force_insert=True)
        return record, raw

    # The old pseudonyms are undone once, here, by trying every person: the very attack this
    # migration ends. An author no longer in the directory is simply not found; the question
    # stays, and no longer appears in anyone's own list.
    by_old_hash = {_old_author_hash(pk): pk for pk in Person.objects.values_list("pk", flat=True)}
    first_day = _day(Question.objects.order_by("created_at").first().created_at)
    participants_key, participants_raw = new_key("question-participants", first_day)
    authors_key, authors_raw = new_key("question-authors", first_day)
    QuestionKeys.objects.create(pk=1, participants=participants_key, authors=authors_key)
    # Tag and seal formats must match haven.connect.questions (tests/connect/
    # test_questions_migration.py checks migrated rows against the live code).
    people = set()
    for question in Question.objects.order_by("pk"):
        question.created_at = _day(question.created_at)
        if question.anonymous:
            author_id = by_old_hash.get(question.author_hash)
            if author_id is not None:
                question.author_sealed = crypto.seal_with(
                    authors_raw, str(author_id), aad=f"question-author:{question.pk}")
                people.add(author_id)
        elif question.author_id is not None:
            people.add(question.author_id)
        question.author_hash = ""
        votes = list(QuestionVote.objects.filter(question=question).values_list("pk", "voter_id"))
        people |= {voter_id for _, voter_id in votes}
        question.vote_count = len(votes)
        if question.status == "published" and question.answered_at is None:
            question.vote_key, raw = new_key("question-votes",
                                             question.moderated_at or question.created_at)
            for vote_id, voter_id in votes:
                QuestionVote.objects.filter(pk=vote_id).update(
                    voter_tag=crypto.keyed_tag_with(raw, f"voter:{voter_id}"))
        else:  # closed: the count is all that stays
            QuestionVote.objects.filter(question=question).delete()
        question.save()
    QuestionParticipant.objects.bulk_create(
        [QuestionParticipant(tag=crypto.keyed_tag_with(participants_raw,
                                                       f"participant:{person_id}"))
         for person_id in people])


class Migration(migrations.Migration):

    dependencies = [
        ('connect', '0005_activity_settings'),
        ('vault', '0002_master_key_state_and_holders'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='QuestionParticipant',
            fields=[
                ('tag', models.CharField(max_length=64, primary_key=True, serialize=False)),
            ],
        ),
        migrations.CreateModel(
            name='QuestionKeys',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('participants', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='vault.datakey')),
                ('authors', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='vault.datakey')),
            ],
            options={
                'verbose_name_plural': 'question keys',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='question_keys_one_row')],
            },
        ),
        migrations.AddField(
            model_name='question',
            name='author_sealed',
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='question',
            name='vote_count',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='question',
            name='vote_key',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='vault.datakey'),
        ),
        migrations.AddField(
            model_name='questionvote',
            name='voter_tag',
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop, elidable=False),
    ]
