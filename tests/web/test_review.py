"""The supervisor's review: the organization's escalation log with filters,
response times and caseload, and a CSV of the filtered log. It must agree
with /api/v1/review/... and stay closed to supporters."""

import datetime as dt
from urllib.parse import urlencode

import pytest
import time_machine
from django.utils import timezone

from alerts import escalation
from alerts.acknowledgement import acknowledge, resolve
from alerts.models import AlertEvent
from tests.web.conftest import DISCLOSE, raise_alert, read_export


@pytest.fixture
def history(supervisor, supporter, other_supporter, member, other_member):
    """Two alerts: one acknowledged after 2 minutes, one escalated and resolved by the supervisor."""
    start = timezone.now() - dt.timedelta(days=1)
    with time_machine.travel(start, tick=False):
        quick = raise_alert(member)
        slow = raise_alert(other_member, severity="warning", rule="mood_low", reason="Mood 2 of 5.")
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        acknowledge(quick, by=supporter, channel=AlertEvent.Channel.SMS)
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        escalation.escalate_due()
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        resolve(slow, by=supervisor, channel=AlertEvent.Channel.WEB, outcome="=HYPERLINK(\"http://x\") reached, safe")
    return quick, slow


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.content[:500]
    return read_export(response.content)[1]


def _export(client, query: dict | None = None):
    """The log's CSV as the page gets it: the filters in the query, the purpose posted."""
    return client.post("/review/log.csv" + (f"?{urlencode(query)}" if query else ""), DISCLOSE)


@pytest.mark.parametrize("path", ["/review/", "/review/log.csv", "/settings/"])
def test_supporters_may_not_open_supervisor_pages(signed_in, supporter, path):
    assert signed_in(supporter).get(path).status_code == 403


def test_the_log_lists_every_alert_of_the_organization_only(signed_in, supervisor, outsider, history):
    quick, slow = history
    page = signed_in(supervisor).get("/review/").content.decode()
    assert f'href="/alerts/{quick.pk}"' in page and f'href="/alerts/{slow.pk}"' in page
    assert "Dana W." in page  # members by first name and last initial
    assert "/alerts/" not in signed_in(outsider).get("/review/").content.decode().split("Escalation log")[1]


def test_filters_narrow_the_log(signed_in, supervisor, other_supporter, history):
    quick, slow = history
    client = signed_in(supervisor)
    escalated = client.get("/review/", {"escalated": "yes"}).content.decode()
    assert f'href="/alerts/{slow.pk}"' in escalated and f'href="/alerts/{quick.pk}"' not in escalated
    by_supporter = client.get("/review/", {"supporter_id": other_supporter.pk}).content.decode()
    assert f'href="/alerts/{slow.pk}"' in by_supporter and f'href="/alerts/{quick.pk}"' not in by_supporter
    urgent = client.get("/review/", {"severity": "urgent", "outcome": "acknowledged"}).content.decode()
    assert f'href="/alerts/{quick.pk}"' in urgent and f'href="/alerts/{slow.pk}"' not in urgent
    tomorrow = (timezone.now() + dt.timedelta(days=1)).date().isoformat()
    assert "No alerts match" in client.get("/review/", {"date_from": tomorrow}).content.decode()


def test_response_times_and_caseload_per_supporter(signed_in, supervisor, history):
    page = signed_in(supervisor).get("/review/").content.decode()
    sam = page[page.index("<th scope=\"row\">Sam Rivera</th>"):]
    sam = sam[: sam.index("</tr>")]
    # caseload 1, 1 alert, 1 acknowledged, median 2 min, p90 2 min, 0% escalated
    assert [cell.split("</td>")[0] for cell in sam.split("<td>")[1:]] == ["1", "1", "1", "2 min", "2 min", "0%"]


def test_the_csv_is_the_filtered_log(signed_in, supervisor, history):
    quick, slow = history
    rows = _csv(_export(signed_in(supervisor), {"escalated": "yes"}))
    assert [int(r["alert_id"]) for r in rows] == [slow.pk]
    assert rows[0]["member"] == "Marcus B."
    assert rows[0]["escalation_level"] == "1"
    assert rows[0]["resolved_by"] == "Vera Lopez"


def test_the_csv_agrees_with_the_api(signed_in, api, supervisor, history):
    rows = _csv(_export(signed_in(supervisor)))
    from_api = api.as_(supervisor).get("/review/log").json()["items"]
    assert [int(r["alert_id"]) for r in rows] == [item["id"] for item in from_api]
    by_id = {item["id"]: item for item in from_api}
    for row in rows:
        expected = by_id[int(row["alert_id"])]["seconds_to_acknowledge"]
        assert row["seconds_to_acknowledge"] == ("" if expected is None else str(round(expected)))


def test_the_csv_cannot_smuggle_spreadsheet_formulas(signed_in, supervisor, history):
    rows = _csv(_export(signed_in(supervisor)))
    outcome = next(r["outcome"] for r in rows if r["outcome"])
    assert outcome.startswith("'=HYPERLINK")


def test_the_csv_is_a_download(signed_in, supervisor, history):
    response = _export(signed_in(supervisor))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
