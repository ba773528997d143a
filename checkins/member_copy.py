"""A member's own record, as a plain, readable text file: for a member who
asks for a copy of what they told us (HIPAA's right of access). Their
details, their consent records, every check-in with their answers, and
every text to and from them, oldest first, in their own time zone. Staff
notes and alerts are not part of it.

Handing it over is a disclosure (records.disclosure), recorded by the
caller with the member as the recipient.
"""

import datetime as dt

from checkins.models import Answer, CheckIn, Member
from sms.models import Message

PURPOSE = "Copy of their own record, at the member's request"


def _when(moment: dt.datetime, member: Member) -> str:
    return moment.astimezone(member.tz).strftime("%Y-%m-%d %H:%M")


def member_copy(member: Member, notice: str) -> str:
    """The whole file, as text."""
    lines = [
        f"Your record with {member.program.name}",
        "=" * 40,
        f"Name: {member.name}",
        f"Phone: {member.phone}",
        f"Language: {member.get_language_display()}",
        f"Time zone: {member.timezone}",
        f"Enrolled: {_when(member.created_at, member)}",
        f"Status: {member.get_status_display()}",
        "",
        "Consent to be texted",
        "-" * 40,
    ]
    for record in member.consent_records.order_by("at", "id"):
        line = f"{_when(record.at, member)}  {record.get_kind_display()} ({record.get_method_display()})"
        if record.text_version:
            line += f", consent text version {record.text_version}"
        lines.append(line)
        if record.text:
            lines.append(f"    Agreed to: {record.text}")
    lines += ["", "Check-ins and your answers", "-" * 40]
    answers: dict[int, list[Answer]] = {}
    for answer in Answer.objects.filter(checkin__member=member).select_related("question").order_by("created_at", "id"):
        answers.setdefault(answer.checkin_id, []).append(answer)
    for checkin in member.checkins.exclude(status=CheckIn.Status.SKIPPED).order_by("started_at", "id"):
        lines.append(f"{_when(checkin.started_at, member)}  check-in, {checkin.get_status_display().lower()}")
        for answer in answers.get(checkin.pk, []):
            value = "" if answer.value is None else f" (recorded as {answer.display_value})"
            words = answer.text if answer.text else "[removed after the retention period]"
            lines.append(f"    {answer.question.key}: {words}{value}")
    lines += ["", "Texts", "-" * 40]
    # Texts to staff about the member (alert notifications, notices) are staff's, not the member's.
    texts = Message.objects.filter(member=member, staff__isnull=True).order_by("created_at", "id")
    for message in texts.iterator():
        who = "You" if message.direction == Message.Direction.INBOUND else "Program"
        body = message.body if message.redacted_at is None else "[removed after the retention period]"
        lines.append(f"{_when(message.created_at, member)}  {who}: {body}")
    lines += ["", "-" * 40, notice, ""]
    return "\n".join(lines)
