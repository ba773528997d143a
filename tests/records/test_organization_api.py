"""The organization's disclosure notice (GET/PATCH /organization): blank is
the 42 CFR §2.32 wording; the answer always shows the notice in force."""

import pytest

from accounts.models import AuditEntry, Organization
from records.models import PART2_NOTICE, Disclosure
from tests.factories import OrganizationFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


def test_the_default_notice_is_part2s(api, org, supporter):
    body = api.as_(supporter).get("/organization").json()
    assert body == {"id": org.id, "name": org.name, "disclosure_notice": PART2_NOTICE, "notice_is_default": True}


def test_a_supervisor_sets_and_resets_the_notice(api, org, supervisor, member):
    as_supervisor = api.as_(supervisor)
    set_ = as_supervisor.patch("/organization", {"disclosure_notice": "  Our counsel's wording.  "})
    assert set_.status_code == 200
    assert (set_.json()["disclosure_notice"], set_.json()["notice_is_default"]) == ("Our counsel's wording.", False)
    as_supervisor.get(f"/members/{member.id}/messages")
    assert Disclosure.objects.get().notice == "Our counsel's wording."
    entry = AuditEntry.objects.get(action="organization.notice_changed")
    assert (entry.actor, entry.via, entry.target_id) == (supervisor, "api", org.id)

    for blank in ("", "   ", PART2_NOTICE):
        reset = as_supervisor.patch("/organization", {"disclosure_notice": "x"})
        reset = as_supervisor.patch("/organization", {"disclosure_notice": blank})
        assert reset.json()["disclosure_notice"] == PART2_NOTICE and reset.json()["notice_is_default"]
        assert Organization.objects.get(pk=org.pk).disclosure_notice == ""
    assert Disclosure.objects.get().notice == "Our counsel's wording.", "a past disclosure keeps its notice"


def test_the_longest_notice_is_accepted_and_longer_is_422(api, org, supervisor):
    as_supervisor = api.as_(supervisor)
    assert as_supervisor.patch("/organization", {"disclosure_notice": "n" * 5000}).status_code == 200
    for body, field in (
        ({"disclosure_notice": "n" * 5001}, "disclosure_notice"),
        ({"disclosure_notice": None}, "disclosure_notice"),
        ({}, "disclosure_notice"),
        ({"disclosure_notice": "ok", "name": "New name"}, "name"),
    ):
        refused = as_supervisor.patch("/organization", body)
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == field
    assert Organization.objects.get(pk=org.pk).disclosure_notice == "n" * 5000


def test_only_supervisors_change_it_and_only_their_own(api, org, supervisor, supporter):
    refused = api.as_(supporter).patch("/organization", {"disclosure_notice": "mine"})
    assert refused.status_code == 403
    elsewhere = OrganizationFactory(name="Elsewhere Recovery")
    api.as_(SupervisorFactory(organization=elsewhere)).patch("/organization", {"disclosure_notice": "theirs"})
    assert Organization.objects.get(pk=org.pk).disclosure_notice == ""
    assert api.as_(supervisor).get("/organization").json()["disclosure_notice"] == PART2_NOTICE
    assert api.get("/organization").status_code == 401
