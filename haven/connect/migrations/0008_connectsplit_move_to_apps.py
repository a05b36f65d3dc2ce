"""The connect app's tables move to one app per capability (coffee, attributes, activities,
questions, recognition). No data moves and nothing is copied: each table is renamed to the
name its new app gives it by default (AlterModelTable also renames the recognition-to-value
link table), then the models leave connect's state. Each new app's 0001_initial depends on this
migration and adds the same models to its own state only (SeparateDatabaseAndState), so a fresh
install and one upgraded from connect 0007 end with the same tables, columns and constraints.

haven.connect stays in INSTALLED_APPS with no models, only these migrations: databases built
before the split record them as applied, and the new apps' history starts from them.
tests/test_connect_split_migration.py fills every table at connect 0007 and checks every row
after migrating forward."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('connect', '0007_drop_identifying_question_columns'),
    ]

    operations = [
        migrations.AlterModelTable(name='coffeeprofile', table='coffee_coffeeprofile'),
        migrations.AlterModelTable(name='coffeeblock', table='coffee_coffeeblock'),
        migrations.AlterModelTable(name='pairinground', table='coffee_pairinground'),
        migrations.AlterModelTable(name='coffeegroup', table='coffee_coffeegroup'),
        migrations.AlterModelTable(name='coffeemembership', table='coffee_coffeemembership'),
        migrations.AlterModelTable(name='coffeeskip', table='coffee_coffeeskip'),
        migrations.AlterModelTable(name='coffeesettings', table='coffee_coffeesettings'),
        migrations.AlterModelTable(name='sharedattribute', table='attributes_sharedattribute'),
        migrations.AlterModelTable(name='personattribute', table='attributes_personattribute'),
        migrations.AlterModelTable(name='activity', table='activities_activity'),
        migrations.AlterModelTable(name='activitysettings', table='activities_activitysettings'),
        migrations.AlterModelTable(name='activitysignup', table='activities_activitysignup'),
        migrations.AlterModelTable(name='activityfeedback', table='activities_activityfeedback'),
        migrations.AlterModelTable(name='question', table='questions_question'),
        migrations.AlterModelTable(name='questionvote', table='questions_questionvote'),
        migrations.AlterModelTable(name='questionparticipant', table='questions_questionparticipant'),
        migrations.AlterModelTable(name='questionkeys', table='questions_questionkeys'),
        migrations.AlterModelTable(name='companyvalue', table='recognition_companyvalue'),
        migrations.AlterModelTable(name='recognition', table='recognition_recognition'),
        migrations.AlterModelTable(name='recognitioncomment', table='recognition_recognitioncomment'),
        migrations.AlterModelTable(name='reaction', table='recognition_reaction'),
        migrations.AlterModelTable(name='recognitionpreferences', table='recognition_recognitionpreferences'),
        migrations.AlterModelTable(name='recognitiondigest', table='recognition_recognitiondigest'),
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='activity',
                name='organiser',
            ),
            migrations.RemoveField(
                model_name='activityfeedback',
                name='activity',
            ),
            migrations.RemoveField(
                model_name='activitysignup',
                name='activity',
            ),
            migrations.RemoveField(
                model_name='activityfeedback',
                name='person',
            ),
            migrations.DeleteModel(
                name='ActivitySettings',
            ),
            migrations.RemoveField(
                model_name='activitysignup',
                name='person',
            ),
            migrations.RemoveField(
                model_name='coffeeblock',
                name='blocked',
            ),
            migrations.RemoveField(
                model_name='coffeeblock',
                name='blocker',
            ),
            migrations.RemoveField(
                model_name='coffeegroup',
                name='location',
            ),
            migrations.RemoveField(
                model_name='coffeegroup',
                name='round',
            ),
            migrations.RemoveField(
                model_name='coffeemembership',
                name='group',
            ),
            migrations.RemoveField(
                model_name='coffeemembership',
                name='person',
            ),
            migrations.RemoveField(
                model_name='coffeeprofile',
                name='location',
            ),
            migrations.RemoveField(
                model_name='coffeeprofile',
                name='person',
            ),
            migrations.DeleteModel(
                name='CoffeeSettings',
            ),
            migrations.RemoveField(
                model_name='coffeeskip',
                name='person',
            ),
            migrations.RemoveField(
                model_name='coffeeskip',
                name='round',
            ),
            migrations.RemoveField(
                model_name='recognition',
                name='values',
            ),
            migrations.RemoveField(
                model_name='pairinground',
                name='run_by',
            ),
            migrations.RemoveField(
                model_name='personattribute',
                name='attribute',
            ),
            migrations.RemoveField(
                model_name='personattribute',
                name='person',
            ),
            migrations.RemoveField(
                model_name='question',
                name='answered_by',
            ),
            migrations.RemoveField(
                model_name='question',
                name='author',
            ),
            migrations.RemoveField(
                model_name='question',
                name='vote_key',
            ),
            migrations.RemoveField(
                model_name='questionvote',
                name='question',
            ),
            migrations.RemoveField(
                model_name='questionkeys',
                name='authors',
            ),
            migrations.RemoveField(
                model_name='questionkeys',
                name='participants',
            ),
            migrations.DeleteModel(
                name='QuestionParticipant',
            ),
            migrations.RemoveField(
                model_name='reaction',
                name='person',
            ),
            migrations.RemoveField(
                model_name='reaction',
                name='recognition',
            ),
            migrations.RemoveField(
                model_name='recognition',
                name='audience_team',
            ),
            migrations.RemoveField(
                model_name='recognition',
                name='giver',
            ),
            migrations.RemoveField(
                model_name='recognition',
                name='moderated_by',
            ),
            migrations.RemoveField(
                model_name='recognition',
                name='recipient',
            ),
            migrations.RemoveField(
                model_name='recognition',
                name='team',
            ),
            migrations.RemoveField(
                model_name='recognitioncomment',
                name='recognition',
            ),
            migrations.RemoveField(
                model_name='recognitioncomment',
                name='author',
            ),
            migrations.RemoveField(
                model_name='recognitioncomment',
                name='moderated_by',
            ),
            migrations.DeleteModel(
                name='RecognitionDigest',
            ),
            migrations.RemoveField(
                model_name='recognitionpreferences',
                name='person',
            ),
            migrations.DeleteModel(
                name='Activity',
            ),
            migrations.DeleteModel(
                name='ActivityFeedback',
            ),
            migrations.DeleteModel(
                name='ActivitySignup',
            ),
            migrations.DeleteModel(
                name='CoffeeBlock',
            ),
            migrations.DeleteModel(
                name='CoffeeGroup',
            ),
            migrations.DeleteModel(
                name='CoffeeMembership',
            ),
            migrations.DeleteModel(
                name='CoffeeProfile',
            ),
            migrations.DeleteModel(
                name='CoffeeSkip',
            ),
            migrations.DeleteModel(
                name='CompanyValue',
            ),
            migrations.DeleteModel(
                name='PairingRound',
            ),
            migrations.DeleteModel(
                name='SharedAttribute',
            ),
            migrations.DeleteModel(
                name='PersonAttribute',
            ),
            migrations.DeleteModel(
                name='Question',
            ),
            migrations.DeleteModel(
                name='QuestionVote',
            ),
            migrations.DeleteModel(
                name='QuestionKeys',
            ),
            migrations.DeleteModel(
                name='Reaction',
            ),
            migrations.DeleteModel(
                name='Recognition',
            ),
            migrations.DeleteModel(
                name='RecognitionComment',
            ),
            migrations.DeleteModel(
                name='RecognitionPreferences',
            ),
        ]),
    ]
