# The identifying columns go, now that 0006 has re-keyed what they held: the author's keyed
# hash, each vote's voter and its time. Votes are one per pseudonym from here on.

from django.db import migrations, models

import haven.questions.models


def refuse_to_undo(apps, schema_editor):
    # Going back would need the links 0006 removed; an empty install may go back freely.
    if apps.get_model("connect", "Question").objects.exists():
        raise RuntimeError("connect 0006/0007 cannot be undone on a database with questions: "
                           "the links to authors and voters they removed are gone for good.")


class Migration(migrations.Migration):

    dependencies = [
        ('connect', '0006_question_anonymity'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='questionvote',
            name='one_vote_per_person',
        ),
        migrations.RemoveField(
            model_name='question',
            name='author_hash',
        ),
        migrations.RemoveField(
            model_name='questionvote',
            name='created_at',
        ),
        migrations.RemoveField(
            model_name='questionvote',
            name='voter',
        ),
        migrations.AlterField(
            model_name='questionvote',
            name='voter_tag',
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name='question',
            name='created_at',
            field=models.DateTimeField(default=haven.questions.models.start_of_day),
        ),
        migrations.AddConstraint(
            model_name='question',
            constraint=models.CheckConstraint(condition=models.Q(('anonymous', False), ('author_sealed__isnull', False), _negated=True), name='only_anonymous_questions_seal_an_author'),
        ),
        migrations.AddConstraint(
            model_name='questionvote',
            constraint=models.UniqueConstraint(fields=('question', 'voter_tag'), name='one_vote_per_person'),
        ),
        migrations.RunPython(migrations.RunPython.noop, refuse_to_undo, elidable=False),
    ]
