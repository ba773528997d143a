"""Every record the product keeps as history is written once: saving it again
or deleting it is refused, and the stored row stays as it was
(config/written_once.py). One case per table."""

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from alerts.models import AlertEvent
from care.models import ContactNote
from checkins.models import ScheduleChange
from config.written_once import AppendOnlyError
from records.models import AccessEntry, ConsentRecord, Disclosure
from tests.factories import MemberFactory
from tests.web.conftest import raise_alert

pytestmark = pytest.mark.django_db


def _escalation_event(member):
    return AlertEvent.objects.create(alert=raise_alert(member), type=AlertEvent.Type.NOTIFIED, detail="texted")


def _contact_note(member):
    return ContactNote.objects.create(
        organization=member.organization, member=member, staff=member.supporter,
        outcome=ContactNote.Outcome.REACHED, modality=ContactNote.Modality.CALL,
        contact_date=timezone.localdate(), duration_minutes=15, intervention="Talked it through.",
        response="Calmer by the end.", plan="Call again Friday.",
    )  # fmt: skip


def _audit_entry(member):
    return AuditEntry.objects.create(
        organization=member.organization, action="member.changed", target_type="member", target_id=member.pk
    )


def _schedule_change(member):
    return ScheduleChange.objects.create(member=member, from_level=1, to_level=2, reason="Three clear check-ins.")


def _access_entry(member):
    return AccessEntry.objects.create(
        organization_id=member.organization_id, staff=member.supporter, member=member, where="member page"
    )


def _consent_record(member):
    return ConsentRecord.objects.create(
        organization=member.organization, member=member, kind="revoke", method="staff", reason="Asked in person."
    )


def _disclosure(member):
    return Disclosure.objects.create(
        organization=member.organization, channel="export", data="answers", purpose="Care review", recipient="Clinic"
    )


CASES = [
    pytest.param(_escalation_event, "detail", id="escalation-log"),
    pytest.param(_contact_note, "intervention", id="contact-note"),
    pytest.param(_audit_entry, "action", id="audit-log"),
    pytest.param(_schedule_change, "reason", id="schedule-change"),
    pytest.param(_access_entry, "where", id="access-log"),
    pytest.param(_consent_record, "reason", id="consent-record"),
    pytest.param(_disclosure, "purpose", id="disclosure"),
]


@pytest.mark.parametrize("make, field", CASES)
def test_a_written_record_cannot_be_changed(make, field):
    row = make(MemberFactory())
    before = getattr(row, field)
    setattr(row, field, "rewritten")
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        row.save()
    assert getattr(type(row).objects.get(pk=row.pk), field) == before


@pytest.mark.parametrize("make, field", CASES)
def test_a_written_record_cannot_be_deleted(make, field):
    row = make(MemberFactory())
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        row.delete()
    assert type(row).objects.filter(pk=row.pk).exists()


def test_a_contact_note_says_how_to_put_a_mistake_right():
    note = _contact_note(MemberFactory())
    with pytest.raises(AppendOnlyError, match="write a correction note instead"):
        note.save()


def test_the_refusal_is_a_value_error_for_callers_that_catch_those():
    assert issubclass(AppendOnlyError, ValueError)
