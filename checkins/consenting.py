"""Consent changed by staff (records.consent keeps the records): a grant
they record (verbal or written), and a revocation they record with a reason.

A member who opted out by their own text, or whose carrier reported an
opt-out, comes back only by texting START (Member.opt_in): staff cannot
override that. A member whose consent staff withdrew can be granted again by
staff, which makes them active again (no text is sent: their next check-in
comes at its usual time)."""

from django.db import transaction

from accounts import audit
from accounts.models import Staff
from checkins.models import Member
from records import consent
from records.models import ConsentRecord

REASON_MAX = 1000  # records.consent.revoke
STAFF_GRANT_METHODS = (consent.Method.VERBAL, consent.Method.WRITTEN)
ONLY_BY_START = (
    "This member opted out by their own text or through their carrier: only they can opt back in, "
    "by texting START to the program's number."
)


def grant_by_staff(member: Member, *, staff: Staff, method: str, text_version: str | None = None, via: str = "api"):
    """Record a grant given to staff (`verbal` or `written`) with the words of
    `text_version` (the current version when None). Raises ConsentError."""
    if method not in STAFF_GRANT_METHODS:
        raise consent.ConsentError("method", "Method must be 'verbal' or 'written'.")
    try:
        words = consent.consent_text(text_version, member.language)
    except consent.ConsentError as error:
        raise consent.ConsentError("text_version", error.message) from None
    with transaction.atomic():
        locked = Member.objects.select_for_update(of=("self",), no_key=True).select_related("current_consent").get(
            pk=member.pk
        )
        if locked.status == Member.Status.DISCHARGED:
            raise consent.ConsentError("status", "This member is discharged: consent cannot be recorded.", 409)
        current = locked.current_consent
        revoked = locked.status == Member.Status.OPTED_OUT or (current is not None and not current.is_granted)
        if revoked and (current is None or current.is_granted or current.method != consent.Method.STAFF):
            raise consent.ConsentError("method", ONLY_BY_START, 409)
        record = consent.grant(locked, method=method, staff=staff, text_version=words.version)
        if locked.status == Member.Status.OPTED_OUT:
            locked.status = Member.Status.ACTIVE
            locked.opted_out_at = None
            locked.paused_until = None
            locked.pause_reason = ""
            locked.schedule_next_checkin()
            locked.save(update_fields=["status", "opted_out_at", "paused_until", "pause_reason", "next_checkin_at"])
            audit.record(
                locked.organization_id, staff, "member.consent_granted", locked,
                audit.changes_between({"status": Member.Status.OPTED_OUT}, {"status": locked.status}), via=via,
            )
    _refresh(member, locked)
    return record


def revoke_by_staff(member: Member, *, staff: Staff, reason: str, via: str = "api") -> ConsentRecord:
    """Stop every text to the member now, recording the revocation with
    `reason` (required). Raises ConsentError: no reason (422), or a member who
    is not active or paused (409)."""
    reason = (reason or "").strip()
    if not reason:
        raise consent.ConsentError(
            "reason", "Say why consent is withdrawn (for example: asked by phone to stop texts)."
        )
    if len(reason) > REASON_MAX:
        raise consent.ConsentError("reason", f"Keep the reason to {REASON_MAX:,} characters or fewer.")
    with transaction.atomic():
        locked = Member.objects.select_for_update(of=("self",), no_key=True).get(pk=member.pk)
        if locked.status not in (Member.Status.ACTIVE, Member.Status.PAUSED):
            raise consent.ConsentError(
                "status", f"This member is {locked.get_status_display().lower()}: texts are already stopped.", 409
            )
        before = locked.status
        locked.opt_out(staff=staff, reason=reason)
        audit.record(
            locked.organization_id, staff, "member.consent_revoked", locked,
            audit.changes_between({"status": before}, {"status": locked.status}), via=via,
        )
    _refresh(member, locked)
    return locked.current_consent


def _refresh(member: Member, locked: Member) -> None:
    for field in ("status", "opted_out_at", "next_checkin_at", "paused_until", "pause_reason", "current_consent_id",
                  "consent_at", "consent_method", "consent_text_version"):
        setattr(member, field, getattr(locked, field))
    member.current_consent = locked.current_consent
