"""The "someone else in danger right now" rule, installed in every program,
and every stored rule brought inside the locked-rule and threshold policy
(docs/limits.md): crisis rules on and at crisis, thresholds on their
question's scale. Values are written out here, not read from the models,
so the migration means the same thing whenever it runs."""

from django.db import migrations, models


LOCKED_AT_LEAST = {"crisis_language": "crisis", "safety_yes": "crisis", "other_in_danger": "urgent"}
RANK = {"info": 0, "warning": 1, "urgent": 2, "crisis": 3}
DEFAULT_THRESHOLD = {
    "craving_high": 8, "mood_low": 2, "missed": 2, "missed_many": 4, "craving_above_baseline": 3, "mood_falling": 3,
}  # fmt: skip
COUNT_RANGE = {"missed": (1, 14), "missed_many": (1, 30), "mood_falling": (1, 10)}
SCALE_QUESTION = {"craving_high": "craving", "mood_low": "mood", "craving_above_baseline": "craving"}
DEFAULT_SCALE = {"mood": (1, 5), "craving": (0, 10)}


def threshold_range(Question, rule):
    if rule.kind in COUNT_RANGE:
        return COUNT_RANGE[rule.kind]
    key = SCALE_QUESTION[rule.kind]
    low, high = DEFAULT_SCALE[key]
    scale = (
        Question.objects.filter(program_id=rule.program_id, key=key, scale_min__isnull=False, scale_max__isnull=False)
        .values_list("scale_min", "scale_max")
        .first()
    )
    if scale is not None and scale[0] < scale[1]:
        low, high = scale
    return (1, high - low) if rule.kind == "craving_above_baseline" else (low, high)


def forward(apps, schema_editor):
    Program = apps.get_model("checkins", "Program")
    Question = apps.get_model("checkins", "Question")
    RuleSetting = apps.get_model("alerts", "RuleSetting")
    have = set(RuleSetting.objects.filter(kind="other_in_danger").values_list("program_id", flat=True))
    RuleSetting.objects.bulk_create(
        [
            RuleSetting(program_id=pk, kind="other_in_danger", enabled=True, severity="urgent")
            for pk in Program.objects.exclude(pk__in=have).values_list("pk", flat=True)
        ]
    )
    for kind, floor in LOCKED_AT_LEAST.items():
        too_low = [severity for severity, rank in RANK.items() if rank < RANK[floor]]
        RuleSetting.objects.filter(kind=kind, severity__in=too_low).update(severity=floor)
        RuleSetting.objects.filter(kind=kind, enabled=False).update(enabled=True)
    # A threshold that could never fire is the rule switched off without
    # saying so: back to the default, which the supervisor can tune again.
    for rule in RuleSetting.objects.filter(kind__in=list(DEFAULT_THRESHOLD)):
        low, high = threshold_range(Question, rule)
        if rule.threshold is None or not low <= rule.threshold <= high:
            rule.threshold = DEFAULT_THRESHOLD[rule.kind]
            rule.save(update_fields=["threshold"])


class Migration(migrations.Migration):

    dependencies = [
        ('alerts', '0002_initial'),
        ('checkins', '0003_member_phone_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='rulesetting',
            name='kind',
            field=models.CharField(choices=[('crisis_language', 'Crisis words in any message'), ('safety_yes', 'Safety question answered yes'), ('other_in_danger', 'Someone else in danger right now'), ('used_yes', 'Use since the last check-in'), ('craving_high', 'Craving at or above the threshold'), ('mood_low', 'Mood at or below the threshold'), ('missed', 'Check-ins missed in a row (threshold: how many)'), ('missed_many', 'Many check-ins missed in a row (threshold: how many)'), ('craving_above_baseline', "Craving above the member's 14-day median (threshold: points)"), ('mood_falling', 'Mood falling on several check-ins in a row (threshold: how many)'), ('unreachable', 'Texts cannot be delivered')], max_length=32),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
