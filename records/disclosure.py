"""The disclosure register: every export or bulk read of member data that
leaves the product is recorded, with who, when, which members, which data,
why and to whom, and carries the Part 2 notice (docs/privacy.md)."""

from collections.abc import Iterable

from django.db import transaction

from accounts.models import Organization, Staff
from records.models import PART2_NOTICE, Disclosure

PURPOSE_MAX = 500
RECIPIENT_MAX = 200


class DisclosureError(ValueError):
    def __init__(self, field: str, message: str, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def notice_for(organization: Organization) -> str:
    return (organization.disclosure_notice or "").strip() or PART2_NOTICE


def checked(purpose: str | None, recipient: str | None) -> tuple[str, str]:
    """An export needs a stated purpose and a recipient."""
    purpose = " ".join((purpose or "").split())
    recipient = " ".join((recipient or "").split())
    if not purpose:
        raise DisclosureError("purpose", "State the purpose of this disclosure (for example: treatment coordination).")
    if len(purpose) > PURPOSE_MAX:
        raise DisclosureError("purpose", f"Keep the purpose to {PURPOSE_MAX} characters or fewer.")
    if not recipient:
        raise DisclosureError("recipient", "Name who receives it (a person or an organization).")
    if len(recipient) > RECIPIENT_MAX:
        raise DisclosureError("recipient", f"Keep the recipient to {RECIPIENT_MAX} characters or fewer.")
    return purpose, recipient


def record_disclosure(
    *,
    organization: Organization,
    staff: Staff | None,
    channel: str,
    data: str,
    purpose: str,
    recipient: str,
    member_ids: Iterable[int],
    detail: str = "",
) -> Disclosure:
    purpose, recipient = checked(purpose, recipient)
    ids = sorted(set(member_ids))
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            organization=organization,
            staff=staff,
            channel=channel,
            data=data[:200],
            purpose=purpose,
            recipient=recipient,
            member_count=len(ids),
            notice=notice_for(organization),
            detail=detail[:300],
        )
        through = Disclosure.members.through
        through.objects.bulk_create([through(disclosure_id=disclosure.pk, member_id=i) for i in ids], batch_size=1000)
    return disclosure


def accounting(member, start=None, end=None):
    """A member's accounting of disclosures, oldest first, between two datetimes."""
    disclosures = Disclosure.objects.filter(members=member)
    if start is not None:
        disclosures = disclosures.filter(at__gte=start)
    if end is not None:
        disclosures = disclosures.filter(at__lt=end)
    return disclosures.select_related("staff").order_by("at", "id")
