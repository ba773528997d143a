from django.db import migrations, models


def keep_the_first_owner(apps, schema_editor):
    """Before one owner per phone holds, a number may be active in several
    organizations. The first enrolment keeps it; later ones are discharged
    (their history stays). Keeping the newest would hand the member to
    whoever enrolled the number last, which is the takeover this rule ends."""
    Member = apps.get_model("checkins", "Member")
    active = Member.objects.exclude(status="discharged").order_by("phone", "created_at", "id")
    seen = set()
    later = []
    for member_id, phone in active.values_list("id", "phone"):
        if phone in seen:
            later.append(member_id)
        seen.add(phone)
    Member.objects.filter(id__in=later).update(status="discharged", next_checkin_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0003_member_phone_index"),
    ]

    operations = [
        migrations.RunPython(keep_the_first_owner, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "discharged"), _negated=True),
                fields=("phone",),
                name="member_phone_one_active_owner",
            ),
        ),
    ]
