"""Each member's consent to be texted, as records (docs/privacy.md).

A grant records when, how (verbal, written, by text reply, or as given by
staff), who recorded it, and the exact words agreed to (a versioned
ConsentText, copied into the record). A revocation records how (the
member's opt-out text, a carrier opt-out, or staff with a reason). The
member's `current_consent` points at the newest record, and sending asks it
(`is_granted`) through Member.can_receive_texts.

Takes a Member without importing checkins (this app sits below it).
"""

import datetime as dt
import tomllib
from functools import cache
from pathlib import Path

from django.utils import timezone

from accounts.models import Staff
from records.models import ConsentRecord, ConsentText

# The version new enrolments agree to; its words are in tables/consent_texts.toml.
DEFAULT_VERSION = "2026-01"
TABLE = Path(__file__).parent / "tables" / "consent_texts.toml"

Method = ConsentRecord.Method


class ConsentError(ValueError):
    def __init__(self, field: str, message: str, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


@cache
def _table() -> dict[str, dict[str, str]]:
    with TABLE.open("rb") as file:
        return tomllib.load(file)["versions"]


def consent_text(version: str | None, language: str) -> ConsentText:
    """The words of `version` (DEFAULT_VERSION when None) in `language`,
    English when that language has none. A version from the table is written
    to the database the first time it is used."""
    version = version or DEFAULT_VERSION
    texts = ConsentText.objects.filter(version=version)
    found = texts.filter(language=language).first() or texts.filter(language="en").first()
    if found is not None:
        return found
    words = _table().get(version)
    if words is None:
        raise ConsentError("consent_text_version", "No such consent text version.")
    language = language if language in words else "en"
    found, _ = ConsentText.objects.get_or_create(version=version, language=language, defaults={"body": words[language]})
    return found


def is_granted(member) -> bool:
    """Whether the member's newest consent record is a grant. A member with
    no record at all was loaded in bulk, bypassing enrolment: their consent
    fields, set at loading, decide (migration records/0002 made records for
    every member enrolled before records existed)."""
    if member.current_consent_id is None:
        return member.consent_at is not None
    return member.current_consent.kind == ConsentRecord.Kind.GRANTED


def grant(
    member,
    *,
    method: str,
    staff: Staff | None,
    text_version: str | None = None,
    at: dt.datetime | None = None,
) -> ConsentRecord:
    if method not in Method.values or method == Method.CARRIER:
        raise ConsentError("consent_method", "Method must be 'verbal', 'written', 'text_reply' or 'staff'.")
    words = consent_text(text_version, member.language)
    record = ConsentRecord.objects.create(
        organization_id=member.organization_id,
        member=member,
        kind=ConsentRecord.Kind.GRANTED,
        method=method,
        staff=staff,
        text_version=words.version,
        text=words.body,
        at=at or timezone.now(),
    )
    _point(member, record, granted=True)
    return record


def revoke(member, *, method: str, staff: Staff | None = None, reason: str = "") -> ConsentRecord:
    reason = (reason or "").strip()
    if method == Method.STAFF and not reason:
        raise ConsentError("reason", "Say why consent is withdrawn (for example: asked by phone to stop texts).")
    if len(reason) > 1000:
        raise ConsentError("reason", "Keep the reason to 1,000 characters or fewer.")
    record = ConsentRecord.objects.create(
        organization_id=member.organization_id,
        member=member,
        kind=ConsentRecord.Kind.REVOKED,
        method=method,
        staff=staff,
        reason=reason,
    )
    _point(member, record, granted=False)
    return record


def _point(member, record: ConsentRecord, granted: bool) -> None:
    fields = {"current_consent": record}
    if granted:
        # The contract's `consent {at, method, text_version}` shows the grant in force.
        fields.update(consent_at=record.at, consent_method=record.method, consent_text_version=record.text_version)
    type(member).objects.filter(pk=member.pk).update(**fields)
    for name, value in fields.items():
        setattr(member, name, value)
