"""The audit log of administrative changes: who changed what, and when.

Every service that changes members, staff, out-of-office periods or the
on-call rota writes one entry here, whichever door the change came through
(web or API), so the log is the same for both. An entry never holds message
bodies or answers, and phone numbers in it keep only their last four digits.
"""

from typing import Any

from django.db import models

from accounts.models import AuditEntry, Organization, Staff

PHONE_FIELDS = {"phone", "emergency_contact_phone"}


def _shown(field: str, value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, models.Model):
        return str(value)
    text = str(value)
    if field in PHONE_FIELDS and text:
        return f"…{text[-4:]}"
    return text


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {
        field: [_shown(field, before.get(field)), _shown(field, value)]
        for field, value in after.items()
        if before.get(field) != value
    }


def record(
    organization: Organization | int,
    actor: Staff | None,
    action: str,
    target: models.Model,
    changes: dict[str, list[Any]] | None = None,
    via: str = "web",
    label: str | None = None,
) -> AuditEntry:
    organization_id = organization if isinstance(organization, int) else organization.pk
    return AuditEntry.objects.create(
        organization_id=organization_id,
        actor=actor,
        action=action,
        target_type=target._meta.model_name,
        target_id=target.pk,
        target_label=(label if label is not None else _label(target))[:200],
        changes=changes or {},
        via=via,
    )


def _label(target: models.Model) -> str:
    # Members and staff are named as in texts to staff: first name, last initial.
    short = getattr(target, "short_name", None)
    return short if isinstance(short, str) else str(target)
