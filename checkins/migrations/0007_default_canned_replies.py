"""The three default canned replies for every program made before they existed.
The texts are copied here, not imported from checkins.programs, so that this
migration means the same thing whatever the defaults become later. A program
that already has canned replies is left as it is."""

from django.db import migrations

DEFAULTS = [
    ("Checking in", "Hi, it's your peer supporter. I saw your message. Can I call you today?"),
    ("Call me", "I'm free to talk now. Call or text me back when you can."),
    ("Crisis line", "If you're in crisis, call or text 988 any time. I'm here too."),
]


def add_defaults(apps, schema_editor):
    Program = apps.get_model("checkins", "Program")
    CannedReply = apps.get_model("checkins", "CannedReply")
    replies = [
        CannedReply(program_id=program_id, label=label, body=body, position=position)
        for program_id in Program.objects.filter(canned_replies__isnull=True).values_list("pk", flat=True)
        for position, (label, body) in enumerate(DEFAULTS)
    ]
    CannedReply.objects.bulk_create(replies)


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0006_canned_reply"),
    ]

    operations = [
        migrations.RunPython(add_defaults, migrations.RunPython.noop),
    ]
