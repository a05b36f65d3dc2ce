"""The coffee app takes over its models from haven.connect (connect 0008 renamed their tables to
this app's names): state only, the database already holds the tables and their rows."""

import django.db.models.deletion
import django.utils.timezone
import uuid
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
                name='CoffeeSettings',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('schedule_enabled', models.BooleanField(default=True, verbose_name='run a round every week')),
                    ('weekday', models.PositiveSmallIntegerField(default=0, verbose_name='day of the week')),
                    ('hour', models.PositiveSmallIntegerField(default=9, verbose_name='from this hour (organisation time)')),
                    ('no_repeat_rounds', models.PositiveSmallIntegerField(default=6, verbose_name='never repeat a pair from this many recent rounds')),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                ],
                options={
                    'verbose_name': 'coffee settings',
                    'constraints': [models.CheckConstraint(condition=models.Q(('weekday__lte', 6)), name='coffee_weekday_0_6'), models.CheckConstraint(condition=models.Q(('hour__lte', 23)), name='coffee_hour_0_23'), models.CheckConstraint(condition=models.Q(('no_repeat_rounds__lte', 52)), name='coffee_no_repeat_at_most_52')],
                },
            ),
            migrations.CreateModel(
                name='PairingRound',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('started_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                    ('scheduled_for', models.DateField(blank=True, null=True, unique=True)),
                    ('submission_id', models.UUIDField(blank=True, null=True, unique=True)),
                    ('seed', models.BigIntegerField()),
                    ('participants', models.PositiveIntegerField(default=0)),
                    ('groups_made', models.PositiveIntegerField(default=0)),
                    ('unpaired', models.PositiveIntegerField(default=0)),
                    ('total_weight', models.FloatField(default=0.0)),
                    ('run_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-started_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='CoffeeGroup',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('mode', models.CharField(choices=[('in_person', 'In person'), ('remote', 'Remote (video call)')], max_length=12)),
                    ('meet_at', models.DateTimeField()),
                    ('time_zone', models.CharField(default='UTC', max_length=64)),
                    ('calendar_uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                    ('starters', models.JSONField(default=list)),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('location', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.location')),
                    ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='groups', to='coffee.pairinground')),
                ],
                options={
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='CoffeeBlock',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('blocked', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('blocker', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coffee_blocks', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['-created_at'],
                    'constraints': [models.UniqueConstraint(fields=('blocker', 'blocked'), name='one_coffee_block'), models.CheckConstraint(condition=models.Q(('blocker', models.F('blocked')), _negated=True), name='coffee_block_not_self')],
                },
            ),
            migrations.CreateModel(
                name='CoffeeMembership',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('met', models.BooleanField(blank=True, null=True)),
                    ('answered_at', models.DateTimeField(blank=True, null=True)),
                    ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='coffee.coffeegroup')),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coffee_memberships', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['group', 'person__name'],
                    'constraints': [models.UniqueConstraint(fields=('group', 'person'), name='one_membership_per_group')],
                },
            ),
            migrations.CreateModel(
                name='CoffeeProfile',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('active', models.BooleanField(default=True, verbose_name='take part in coffee pairings')),
                    ('frequency', models.CharField(choices=[('weekly', 'Every week'), ('fortnightly', 'Every two weeks'), ('monthly', 'Every four weeks')], default='fortnightly', max_length=12, verbose_name='how often')),
                    ('mode', models.CharField(choices=[('in_person', 'In person'), ('remote', 'Remote (video call)')], default='remote', max_length=12, verbose_name='how to meet')),
                    ('joined_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('location', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.location')),
                    ('person', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='coffee_profile', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'constraints': [models.CheckConstraint(condition=models.Q(('location__isnull', True), ('mode', 'in_person'), _negated=True), name='coffee_in_person_needs_location')],
                },
            ),
            migrations.CreateModel(
                name='CoffeeSkip',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('reason', models.CharField(max_length=200)),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coffee_skips', to=settings.AUTH_USER_MODEL)),
                    ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='skips', to='coffee.pairinground')),
                ],
                options={
                    'constraints': [models.UniqueConstraint(fields=('round', 'person'), name='one_skip_per_round')],
                },
            ),
        ]),
    ]
