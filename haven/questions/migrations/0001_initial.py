"""The questions app takes over its models from haven.connect (connect 0008 renamed their tables to
this app's names): state only, the database already holds the tables and their rows."""

import django.db.models.deletion
import haven.questions.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('connect', '0008_connectsplit_move_to_apps'),
        ('vault', '0003_seal_mfa_secrets'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='QuestionParticipant',
                fields=[
                    ('tag', models.CharField(max_length=64, primary_key=True, serialize=False)),
                ],
            ),
            migrations.CreateModel(
                name='Question',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('text', models.TextField(max_length=1000)),
                    ('anonymous', models.BooleanField(default=False)),
                    ('author_sealed', models.BinaryField(blank=True, null=True)),
                    ('vote_count', models.PositiveIntegerField(default=0)),
                    ('status', models.CharField(choices=[('pending', 'Waiting for moderation'), ('published', 'Published'), ('rejected', 'Not published')], db_index=True, default='pending', max_length=10)),
                    ('held_reason', models.CharField(blank=True, max_length=300)),
                    ('rejection_reason', models.CharField(blank=True, max_length=300)),
                    ('moderated_at', models.DateTimeField(blank=True, null=True)),
                    ('answer', models.TextField(blank=True, max_length=4000)),
                    ('answered_at', models.DateTimeField(blank=True, null=True)),
                    ('created_at', models.DateTimeField(default=haven.questions.models.start_of_day)),
                    ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('vote_key', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='vault.datakey')),
                ],
                options={
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='QuestionKeys',
                fields=[
                    ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                    ('authors', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='vault.datakey')),
                    ('participants', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='vault.datakey')),
                ],
                options={
                    'verbose_name_plural': 'question keys',
                },
            ),
            migrations.CreateModel(
                name='QuestionVote',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('voter_tag', models.CharField(max_length=64)),
                    ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='questions.question')),
                ],
            ),
            migrations.AddConstraint(
                model_name='question',
                constraint=models.CheckConstraint(condition=models.Q(('anonymous', True), ('author__isnull', False), _negated=True), name='anonymous_question_names_nobody'),
            ),
            migrations.AddConstraint(
                model_name='question',
                constraint=models.CheckConstraint(condition=models.Q(('anonymous', False), ('author_sealed__isnull', False), _negated=True), name='only_anonymous_questions_seal_an_author'),
            ),
            migrations.AddConstraint(
                model_name='questionkeys',
                constraint=models.CheckConstraint(condition=models.Q(('id', 1)), name='question_keys_one_row'),
            ),
            migrations.AddConstraint(
                model_name='questionvote',
                constraint=models.UniqueConstraint(fields=('question', 'voter_tag'), name='one_vote_per_person'),
            ),
        ]),
    ]
