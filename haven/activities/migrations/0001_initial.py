"""The activities app takes over its models from haven.connect (connect 0008 renamed their tables to
this app's names): state only, the database already holds the tables and their rows."""

import django.db.models.deletion
import django.utils.timezone
import haven.core.models
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('connect', '0008_connectsplit_move_to_apps'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='Activity',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('title', models.CharField(max_length=150, verbose_name='title')),
                    ('description', models.TextField(blank=True, max_length=4000, verbose_name='description')),
                    ('starts_at', models.DateTimeField(db_index=True, verbose_name='starts')),
                    ('ends_at', models.DateTimeField(verbose_name='ends')),
                    ('time_zone', models.CharField(max_length=64, validators=[haven.core.models.validate_time_zone], verbose_name='time zone')),
                    ('place', models.CharField(blank=True, max_length=200, verbose_name='place')),
                    ('online_link', models.URLField(blank=True, max_length=500, verbose_name='online link')),
                    ('capacity', models.PositiveIntegerField(verbose_name='places')),
                    ('accessibility', models.TextField(blank=True, max_length=4000, verbose_name='accessibility notes')),
                    ('calendar_uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                    ('reminder_sent_at', models.DateTimeField(blank=True, null=True)),
                    ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                    ('cancellation_note', models.CharField(blank=True, max_length=300, verbose_name='message to people who signed up')),
                    ('sequence', models.PositiveIntegerField(default=0)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('organiser', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='organised_activities', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['starts_at', 'id'],
                },
            ),
            migrations.CreateModel(
                name='ActivityFeedback',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('score', models.PositiveSmallIntegerField()),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('activity', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='activities.activity')),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
            ),
            migrations.CreateModel(
                name='ActivitySettings',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('colleagues_may_propose', models.BooleanField(default=False, verbose_name='every colleague may propose activities')),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                ],
                options={
                    'verbose_name': 'activity settings',
                    'verbose_name_plural': 'activity settings',
                    'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='activity_settings_one_row')],
                },
            ),
            migrations.CreateModel(
                name='ActivitySignup',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('status', models.CharField(choices=[('going', 'Going'), ('waitlist', 'On the waitlist')], max_length=10)),
                    ('joined_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('promoted_at', models.DateTimeField(blank=True, null=True)),
                    ('activity', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='signups', to='activities.activity')),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='activity_signups', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['joined_at', 'id'],
                },
            ),
            migrations.AddConstraint(
                model_name='activity',
                constraint=models.CheckConstraint(condition=models.Q(('capacity__gte', 1)), name='activity_has_a_place'),
            ),
            migrations.AddConstraint(
                model_name='activity',
                constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='activity_ends_after_it_starts'),
            ),
            migrations.AddConstraint(
                model_name='activityfeedback',
                constraint=models.UniqueConstraint(fields=('activity', 'person'), name='one_feedback_per_person'),
            ),
            migrations.AddConstraint(
                model_name='activityfeedback',
                constraint=models.CheckConstraint(condition=models.Q(('score__gte', 1), ('score__lte', 5)), name='feedback_score_1_to_5'),
            ),
            migrations.AddConstraint(
                model_name='activitysignup',
                constraint=models.UniqueConstraint(fields=('activity', 'person'), name='one_signup_per_person'),
            ),
        ]),
    ]
