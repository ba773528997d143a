"""The access log: which staff member viewed which member's answers,
conversation or notes, when and where. No content. One INSERT per view,
from web pages and API calls only, never from the inbound text path."""

from accounts.models import Staff
from records.models import AccessEntry


def log_view(staff: Staff, member, where: str) -> None:
    AccessEntry.objects.create(
        organization_id=member.organization_id, staff=staff, member_id=member.pk, where=where[:120]
    )


def log_views(staff: Staff, members, where: str) -> None:
    """One row per member a list shows with their answers or words."""
    AccessEntry.objects.bulk_create(
        [
            AccessEntry(organization_id=m.organization_id, staff=staff, member_id=m.pk, where=where[:120])
            for m in members
        ]
    )
