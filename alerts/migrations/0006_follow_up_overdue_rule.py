"""The "follow-up overdue" rule (care.notes: a follow-up date set in a
contact note passed with no contact logged) and its alert topic, with the
default row (on, warning) installed in every existing program. Values are
written out here, not read from the models, so the migration means the same
thing whenever it runs."""

from django.db import migrations, models


def forward(apps, schema_editor):
    Program = apps.get_model("checkins", "Program")
    RuleSetting = apps.get_model("alerts", "RuleSetting")
    have = set(RuleSetting.objects.filter(kind="follow_up_overdue").values_list("program_id", flat=True))
    RuleSetting.objects.bulk_create(
        [
            RuleSetting(program_id=pk, kind="follow_up_overdue", enabled=True, severity="warning", threshold=None)
            for pk in Program.objects.exclude(pk__in=have).values_list("pk", flat=True)
        ]
    )


class Migration(migrations.Migration):

    dependencies = [
        ('alerts', '0005_one_unresolved_alert_per_member'),
        ('checkins', '0005_member_emergency_contact_safety_plan'),
    ]

    operations = [
        migrations.AlterField(
            model_name='alert',
            name='topic',
            field=models.CharField(choices=[('crisis', 'Crisis'), ('use', 'Use'), ('craving', 'Craving'), ('mood', 'Mood'), ('silence', 'Missed check-ins'), ('unreachable', 'Unreachable'), ('contact', 'Asked to be contacted'), ('follow_up', 'Follow-up overdue')], max_length=16),
        ),
        migrations.AlterField(
            model_name='rulesetting',
            name='kind',
            field=models.CharField(choices=[('crisis_language', 'Crisis words in any message'), ('safety_yes', 'Safety question answered yes'), ('other_in_danger', 'Someone else in danger right now'), ('used_yes', 'Use since the last check-in'), ('craving_high', 'Craving at or above the threshold'), ('mood_low', 'Mood at or below the threshold'), ('missed', 'Check-ins missed in a row (threshold: how many)'), ('missed_many', 'Many check-ins missed in a row (threshold: how many)'), ('craving_above_baseline', "Craving above the member's 14-day median (threshold: points)"), ('mood_falling', 'Mood falling on several check-ins in a row (threshold: how many)'), ('unreachable', 'Texts cannot be delivered'), ('contact_request', 'Asked to be contacted'), ('follow_up_overdue', 'A follow-up from a contact note is overdue')], max_length=32),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
