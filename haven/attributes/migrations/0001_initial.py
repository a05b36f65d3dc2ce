"""The attributes app takes over its models from haven.connect (connect 0008 renamed their tables to
this app's names): state only, the database already holds the tables and their rows."""

import django.db.models.deletion
import django.utils.timezone
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
                name='SharedAttribute',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=60, unique=True, verbose_name='name')),
                    ('question', models.CharField(max_length=200, verbose_name='question shown to people')),
                    ('options', models.JSONField(default=list, verbose_name='answers to choose from')),
                    ('active', models.BooleanField(default=True, verbose_name='offered to people')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ],
                options={
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='PersonAttribute',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('value', models.CharField(max_length=80)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shared_attributes', to=settings.AUTH_USER_MODEL)),
                    ('attribute', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='attributes.sharedattribute')),
                ],
                options={
                    'constraints': [models.UniqueConstraint(fields=('person', 'attribute'), name='one_answer_per_attribute')],
                },
            ),
        ]),
    ]
