"""The first consent text (version 2026-01, the version every enrolment has
recorded so far), and a consent record for every member enrolled before
records existed: the grant they gave at enrolment, and, for a member who
has opted out since, the revocation by text."""

from django.db import migrations

TEXTS = {
    "en": (
        "I agree to receive automated check-in text messages from my peer-support program at the number I "
        "gave, about once a day, and texts from my peer supporter. My replies are read by my peer supporter "
        "and their supervisors. Message and data rates may apply. I can reply STOP at any time to stop and "
        "HELP for help. Texts are not watched around the clock: in a crisis I will call or text 988, or call "
        "911. Agreeing is not a condition of receiving services."
    ),
    "es": (
        "Acepto recibir mensajes de texto automáticos de seguimiento de mi programa de apoyo entre pares en el "
        "número que di, más o menos una vez al día, y mensajes de mi compañero de apoyo. Mi compañero de apoyo "
        "y sus supervisores leen mis respuestas. Pueden aplicarse tarifas de mensajes y datos. Puedo responder "
        "STOP en cualquier momento para dejar de recibirlos y AYUDA para recibir ayuda. Los mensajes no se "
        "vigilan a toda hora: en una crisis llamaré o enviaré un texto al 988, o llamaré al 911. Aceptar no es "
        "una condición para recibir servicios."
    ),
}
VERSION = "2026-01"
KNOWN_METHODS = {"verbal", "written", "text_reply", "staff"}


def forwards(apps, schema_editor):
    ConsentText = apps.get_model("records", "ConsentText")
    ConsentRecord = apps.get_model("records", "ConsentRecord")
    Member = apps.get_model("checkins", "Member")
    texts = {}
    for language, body in TEXTS.items():
        texts[language], _ = ConsentText.objects.get_or_create(
            version=VERSION, language=language, defaults={"body": body}
        )
    for member in Member.objects.filter(current_consent__isnull=True).iterator():
        words = texts.get(member.language, texts["en"])
        method = member.consent_method if member.consent_method in KNOWN_METHODS else "staff"
        current = ConsentRecord.objects.create(
            organization_id=member.organization_id,
            member_id=member.pk,
            kind="granted",
            method=method,
            text_version=member.consent_text_version or VERSION,
            text=words.body,
            at=member.consent_at,
        )
        if member.status == "opted_out":
            current = ConsentRecord.objects.create(
                organization_id=member.organization_id,
                member_id=member.pk,
                kind="revoked",
                method="text_reply",
                at=member.opted_out_at or member.consent_at,
            )
        Member.objects.filter(pk=member.pk).update(current_consent=current)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_initial"),
        ("checkins", "0009_member_current_consent"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
