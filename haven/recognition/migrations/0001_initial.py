"""The recognition app takes over its models from haven.connect (connect 0008 renamed their tables to
this app's names): state only, the database already holds the tables and their rows."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('connect', '0008_connectsplit_move_to_apps'),
        ('core', '0009_master_key_audit_actions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='CompanyValue',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=60, unique=True, verbose_name='name')),
                    ('description', models.CharField(blank=True, max_length=200, verbose_name='what it means')),
                    ('active', models.BooleanField(default=True, verbose_name='offered when recognising someone')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ],
                options={
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='RecognitionDigest',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('week', models.DateField(unique=True)),
                    ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('recipients', models.PositiveIntegerField(default=0)),
                ],
            ),
            migrations.CreateModel(
                name='Recognition',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('recognition', 'Recognition'), ('milestone', 'Milestone')], default='recognition', max_length=12)),
                    ('audience', models.CharField(choices=[('organisation', 'Everyone in the organisation'), ('team', 'Their team'), ('private', 'Only them (a private thank-you)')], default='organisation', max_length=12)),
                    ('message', models.TextField(max_length=1000)),
                    ('status', models.CharField(choices=[('published', 'Published'), ('held', 'Held for a coordinator'), ('rejected', 'Not published')], db_index=True, default='published', max_length=12)),
                    ('held_reason', models.CharField(blank=True, max_length=200)),
                    ('moderated_at', models.DateTimeField(blank=True, null=True)),
                    ('milestone_key', models.CharField(blank=True, max_length=80, null=True, unique=True)),
                    ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                    ('audience_team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.team')),
                    ('giver', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='recognitions_given', to=settings.AUTH_USER_MODEL)),
                    ('moderated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('recipient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='recognitions_received', to=settings.AUTH_USER_MODEL)),
                    ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='recognitions', to='core.team')),
                    ('values', models.ManyToManyField(blank=True, related_name='recognitions', to='recognition.companyvalue')),
                ],
                options={
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='Reaction',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('thanks', 'Thank you'), ('celebrate', 'Celebrate'), ('inspired', 'Inspiring')], max_length=12)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('recognition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reactions', to='recognition.recognition')),
                ],
            ),
            migrations.CreateModel(
                name='RecognitionComment',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('message', models.TextField(max_length=500)),
                    ('status', models.CharField(choices=[('published', 'Published'), ('held', 'Held for a coordinator'), ('rejected', 'Not published')], db_index=True, default='published', max_length=12)),
                    ('held_reason', models.CharField(blank=True, max_length=200)),
                    ('moderated_at', models.DateTimeField(blank=True, null=True)),
                    ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                    ('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recognition_comments', to=settings.AUTH_USER_MODEL)),
                    ('moderated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('recognition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='recognition.recognition')),
                ],
                options={
                    'ordering': ['created_at', 'id'],
                },
            ),
            migrations.CreateModel(
                name='RecognitionPreferences',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('celebrate_milestones', models.BooleanField(default=True, verbose_name='Celebrate my work anniversaries')),
                    ('weekly_digest', models.BooleanField(default=True, verbose_name='Send me a weekly recognition digest')),
                    ('person', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='recognition_preferences', to=settings.AUTH_USER_MODEL)),
                ],
            ),
            migrations.AddConstraint(
                model_name='recognition',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('recipient__isnull', False), ('team__isnull', True)), models.Q(('recipient__isnull', True), ('team__isnull', False)), _connector='OR'), name='recognition_one_recipient'),
            ),
            migrations.AddConstraint(
                model_name='recognition',
                constraint=models.CheckConstraint(condition=models.Q(('giver', models.F('recipient')), _negated=True), name='recognition_not_self'),
            ),
            migrations.AddConstraint(
                model_name='recognition',
                constraint=models.CheckConstraint(condition=models.Q(('audience', 'private'), ('recipient__isnull', True), _negated=True), name='recognition_private_to_a_person'),
            ),
            migrations.AddConstraint(
                model_name='reaction',
                constraint=models.UniqueConstraint(fields=('recognition', 'person', 'kind'), name='one_reaction_per_kind'),
            ),
        ]),
    ]
