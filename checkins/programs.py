"""Setting up organizations and their default program."""

from django.db import transaction

from accounts.models import Organization
from checkins.models import CannedReply, Program, Question
from checkins.signals import program_created

# The contract's default questions (CONTRACT §6), in order. Texts stay neutral
# on a lock screen: no word a passer-by would read as substances or treatment.
DEFAULT_QUESTIONS = [
    {
        "key": "mood",
        "kind": Question.Kind.SCALE,
        "scale_min": 1,
        "scale_max": 5,
        "text_en": "How is your mood today, from 1 (very low) to 5 (very good)?",
        "text_es": "¿Cómo está tu ánimo hoy, del 1 (muy bajo) al 5 (muy bueno)?",
    },
    {
        "key": "craving",
        "kind": Question.Kind.SCALE,
        "scale_min": 0,
        "scale_max": 10,
        "text_en": "How strong are your urges right now, from 0 (none) to 10 (very strong)?",
        "text_es": "¿Qué tan fuertes son tus ganas ahora, del 0 (nada) al 10 (muy fuertes)?",
    },
    {
        "key": "used",
        "kind": Question.Kind.YES_NO,
        "text_en": "Since your last check-in, did you have a slip? Reply YES or NO.",
        "text_es": "Desde tu último mensaje, ¿tuviste un tropiezo? Responde SÍ o NO.",
    },
    {
        "key": "safety",
        "kind": Question.Kind.YES_NO,
        "ask_if_key": "mood",
        "ask_if_at_most": 2,
        "text_en": "Are you having any thoughts of hurting yourself? Reply YES or NO. You can call or text 988 any time.",
        "text_es": "¿Tienes pensamientos de hacerte daño? Responde SÍ o NO. Puedes llamar o enviar un texto al 988 "
        "a cualquier hora.",
    },
]

# The canned replies a new program starts with (supervisors edit them on the
# settings page). Neutral on a lock screen, as the questions are. Migration
# 0007_default_canned_replies gave programs made before them a copy.
DEFAULT_CANNED_REPLIES = [
    {"label": "Checking in", "body": "Hi, it's your peer supporter. I saw your message. Can I call you today?"},
    {"label": "Call me", "body": "I'm free to talk now. Call or text me back when you can."},
    {"label": "Crisis line", "body": "If you're in crisis, call or text 988 any time. I'm here too."},
]


@transaction.atomic
def create_default_program(organization: Organization, name: str = "Daily check-in", **fields) -> Program:
    program = Program.objects.create(organization=organization, name=name, **fields)
    for position, question in enumerate(DEFAULT_QUESTIONS):
        Question.objects.create(program=program, position=position, **question)
    CannedReply.objects.bulk_create(
        CannedReply(program=program, position=position, **reply) for position, reply in enumerate(DEFAULT_CANNED_REPLIES)
    )
    program_created.send(sender=Program, program=program)
    return program


@transaction.atomic
def get_or_create_organization(name: str) -> tuple[Organization, bool]:
    """An organization, created with its default program the first time."""
    organization, created = Organization.objects.get_or_create(name=name)
    if created:
        create_default_program(organization)
    return organization, created
