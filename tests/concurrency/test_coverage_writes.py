"""Sixteen connections at once, coverage changes among the texts: members
texting (answers and crisis words), supporters going out of office and back,
members reassigned, paused and resumed, a supporter deactivated, and the
re-routing and escalation ticks. Nothing may fail or deadlock, every text is
stored once, and afterwards every unresolved alert is with someone available
or with the supervisors."""

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable

import pytest
from django.utils import timezone

from accounts.models import AuditEntry, OutOfOffice, Staff
from accounts.staffing import StaffError, cancel_out_of_office, deactivate_staff, set_out_of_office
from alerts import rerouting
from alerts.escalation import escalate_due
from alerts.models import Alert
from checkins import pausing
from checkins.enrollment import EnrollmentError, reassign_members
from checkins.schedule import start_checkin
from coverage.routing import is_available
from sms.models import Message
from tests.concurrency.test_mixed_writes import _deadlocks, _run_in_sixteen_connections, _sid, _text
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory, SupervisorFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _refused_is_fine(call: Callable[[], object]) -> Callable[[], object]:
    """A change refused by the rules (already deactivated, already paused…)
    is an answer, not a failure."""

    def run() -> object:
        try:
            call()
            return "done"
        except (StaffError, EnrollmentError) as refused:
            return f"refused {refused.status}"

    return run


def test_coverage_changes_among_texts_fail_nothing_and_leave_no_alert_behind():
    org = OrganizationFactory(name="Riverside Peer Support")
    supervisor = SupervisorFactory(organization=org)
    supporters = [StaffFactory(organization=org) for _ in range(4)]
    for index, supporter in enumerate(supporters):
        supporter.backup = supporters[(index + 1) % 4]
        supporter.save()
    members = [MemberFactory(organization=org, supporter=supporters[i % 4]) for i in range(12)]
    for member in members:
        start_checkin(member)

    rng = random.Random(13)
    sids: list[str] = []
    operations: list[tuple[str, Callable[[], object]]] = []

    def text(phone: str, body: str) -> tuple[str, Callable[[], object]]:
        sid = _sid()
        sids.append(sid)
        return ("inbound", lambda: _text(phone, body, sid))

    for _ in range(60):
        operations.append(text(rng.choice(members).phone, rng.choice(["4", "9", "yes", "call me please"])))
    for _ in range(16):
        operations.append(text(rng.choice(members).phone, "i want to kill myself"))

    def away(staff: Staff) -> Callable[[], object]:
        now = timezone.now()
        return _refused_is_fine(
            lambda: set_out_of_office(staff, starts_at=now, ends_at=now + dt.timedelta(days=2), by=supervisor)
        )

    def back(staff: Staff) -> Callable[[], object]:
        def run() -> None:
            for absence in OutOfOffice.objects.filter(staff=staff, cancelled_at=None):
                cancel_out_of_office(absence, by=supervisor)

        return _refused_is_fine(run)

    for n in range(8):
        operations.append(("out_of_office", away(supporters[n % 4])))
        operations.append(("back", back(supporters[n % 4])))
    for n in range(8):
        chosen = [m.pk for m in rng.sample(members, 3)]
        operations.append(
            ("reassign", _refused_is_fine(lambda chosen=chosen, n=n: reassign_members(org, chosen, supporters[n % 3].pk, by=supervisor)))
        )
    for n in range(6):
        member = members[n]
        until = timezone.localdate() + dt.timedelta(days=5)
        operations.append(
            ("pause", _refused_is_fine(lambda m=member: pausing.pause(m, until=until, reason="travel", by=supervisor)))
        )
        operations.append(("resume", _refused_is_fine(lambda m=member: pausing.resume(m, by=supervisor))))
    operations.append(("deactivate", _refused_is_fine(lambda: deactivate_staff(supporters[3], by=supervisor))))
    for _ in range(8):
        operations.append(("reroute_tick", lambda: rerouting.reroute_due()))
    far_future = timezone.now() + dt.timedelta(days=30)
    for _ in range(4):
        operations.append(("escalation_tick", lambda: escalate_due(now=far_future)))
    rng.shuffle(operations)

    deadlocks_before = _deadlocks()
    results = _run_in_sixteen_connections(operations)
    deadlocks_after = _deadlocks()

    errors = [(name, outcome) for name, outcome in results if isinstance(outcome, BaseException)]
    server_errors = [(name, outcome) for name, outcome in results if isinstance(outcome, int) and outcome >= 500]
    print(f"\n{len(operations)} operations; {sorted(Counter((n, str(o)[:20]) for n, o in results).items())}")
    assert len(results) == len(operations)
    assert not errors, errors[:3]
    assert not server_errors, server_errors
    assert deadlocks_after == deadlocks_before

    stored = Counter(Message.objects.filter(provider_sid__in=sids).values_list("provider_sid", flat=True))
    assert all(stored[sid] == 1 for sid in sids)

    # Once the dust settles, one tick leaves every unresolved alert with someone.
    rerouting.reroute_due()
    now = timezone.now()
    unresolved = Alert.objects.filter(organization=org).exclude(status="resolved").exclude(severity="info")
    assert unresolved.exists()
    for alert in unresolved.select_related("responder__user"):
        if alert.status == "open" and alert.escalation_level == 0:
            assert is_available(alert.responder, now), (alert.pk, alert.responder)
        assert alert.notifications.exists(), alert.pk
    # Every change that was made is in the audit log, once.
    assert AuditEntry.objects.filter(organization=org, action="staff.deactivated").count() == 1
    assert AuditEntry.objects.filter(organization=org, action="out_of_office.set").count() == sum(
        1 for name, outcome in results if name == "out_of_office" and outcome == "done"
    )
