"""Two rules firing for one member at the same moment, on two workers: one
alert, both reasons (the partial unique index decides on PostgreSQL)."""

import pytest

from alerts.models import Alert
from alerts.routing import raise_alerts
from alerts.rules import Finding
from tests.together import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_findings_on_one_topic_make_one_alert(member):
    findings = [
        Finding("craving_high", "urgent", "Craving 9 of 10."),
        Finding("craving_above_baseline", "warning", "Craving 9 of 10, 6 above their usual (3)."),
    ]
    run_together(*[lambda finding=finding: raise_alerts(member, [finding]) for finding in findings])
    alert = Alert.objects.get()
    assert alert.severity == "urgent"
    assert sorted(alert.reasons) == sorted(f.reason for f in findings)
