"""Two rules firing for one member at the same moment, on two workers: one
alert, both reasons (the partial unique index decides on PostgreSQL)."""

import threading

import pytest
from django.db import connection

from alerts.models import Alert
from alerts.routing import raise_alerts
from alerts.rules import Finding

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_findings_on_one_topic_make_one_alert(member):
    findings = [
        Finding("craving_high", "urgent", "Craving 9 of 10."),
        Finding("craving_above_baseline", "warning", "Craving 9 of 10, 6 above their usual (3)."),
    ]
    barrier = threading.Barrier(2)

    def raise_one(finding):
        barrier.wait()
        try:
            raise_alerts(member, [finding])
        finally:
            connection.close()

    threads = [threading.Thread(target=raise_one, args=(f,)) for f in findings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    alert = Alert.objects.get()
    assert alert.severity == "urgent"
    assert sorted(alert.reasons) == sorted(f.reason for f in findings)
