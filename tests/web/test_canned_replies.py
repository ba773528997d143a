"""Canned replies: each program has some, supervisors keep them on the
program settings page (add, edit, remove, with config.limits' bounds), and the
reply form on the member and alert pages offers them as quick picks."""

import pytest
from django.test import Client

from accounts.models import Organization
from checkins.models import CannedReply
from checkins.programs import DEFAULT_CANNED_REPLIES, create_default_program
from config import limits
from tests.web.conftest import raise_alert


def _url(program) -> str:
    return f"/settings/{program.pk}"


def _labels(program) -> list[str]:
    return list(program.canned_replies.values_list("label", flat=True))


# --- Defaults ---------------------------------------------------------------------


def test_a_new_program_has_the_three_defaults_in_order(db):
    program = create_default_program(Organization.objects.create(name="New Org"))
    replies = list(program.canned_replies.all())
    assert [(r.label, r.body) for r in replies] == [(d["label"], d["body"]) for d in DEFAULT_CANNED_REPLIES]
    assert [r.label for r in replies] == ["Checking in", "Call me", "Crisis line"]
    assert [r.position for r in replies] == [0, 1, 2]
    for reply in replies:
        reply.full_clean()  # within the limits
        assert "988" in reply.body or "peer supporter" in reply.body or "talk" in reply.body


def test_the_data_migration_gives_existing_programs_the_defaults_once(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("checkins.migrations.0007_default_canned_replies")
    bare = create_default_program(Organization.objects.create(name="Made before"))
    bare.canned_replies.all().delete()
    kept = create_default_program(Organization.objects.create(name="Has its own"))
    kept.canned_replies.exclude(label="Call me").delete()

    migration.add_defaults(apps, None)
    assert _labels(bare) == [d["label"] for d in DEFAULT_CANNED_REPLIES]
    assert [r.body for r in bare.canned_replies.all()] == [d["body"] for d in DEFAULT_CANNED_REPLIES]
    assert _labels(kept) == ["Call me"]


# --- The settings page: supervisors -------------------------------------------------


def test_the_settings_page_lists_the_canned_replies(signed_in, supervisor, org):
    program = org.programs.get()
    page = signed_in(supervisor).get(_url(program))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="canned-replies"' in body
    for reply in program.canned_replies.all():
        assert reply.label in body
        assert f'name="canned-{reply.pk}-body"' in body
    assert 'name="canned-new-label"' in body


def test_a_supervisor_adds_a_canned_reply_at_the_end(signed_in, supervisor, org):
    program = org.programs.get()
    response = signed_in(supervisor).post(
        _url(program), {"canned": "add", "canned-new-label": " Thanks ", "canned-new-body": " Thanks for checking in. "}
    )
    assert response.status_code == 302
    assert response.url.endswith(f"/settings/{program.pk}#canned-replies")
    assert _labels(program) == ["Checking in", "Call me", "Crisis line", "Thanks"]
    added = program.canned_replies.get(label="Thanks")
    assert added.body == "Thanks for checking in."
    assert added.position == 3


def test_a_supervisor_edits_a_canned_reply(signed_in, supervisor, org):
    program = org.programs.get()
    reply = program.canned_replies.get(label="Call me")
    response = signed_in(supervisor).post(
        _url(program),
        {"canned": "save", "canned_id": reply.pk, f"canned-{reply.pk}-label": "Free now",
         f"canned-{reply.pk}-body": "I can talk now. Call me back when you can."},
    )  # fmt: skip
    assert response.status_code == 302
    reply.refresh_from_db()
    assert (reply.label, reply.body) == ("Free now", "I can talk now. Call me back when you can.")
    assert reply.position == 1


def test_a_supervisor_removes_a_canned_reply(signed_in, supervisor, org):
    program = org.programs.get()
    reply = program.canned_replies.get(label="Call me")
    response = signed_in(supervisor).post(_url(program), {"canned": "remove", "canned_id": reply.pk})
    assert response.status_code == 302
    assert _labels(program) == ["Checking in", "Crisis line"]


@pytest.mark.parametrize(
    "label, body, message",
    [
        ("", "Some text.", "Give the canned reply a short label."),
        ("   ", "Some text.", "Give the canned reply a short label."),
        ("x" * (limits.CANNED_LABEL_MAX + 1), "Some text.", f"Keep the label to {limits.CANNED_LABEL_MAX} characters"),
        ("Label", "", "Write the text of the canned reply."),
        ("Label", "  \n ", "Write the text of the canned reply."),
        ("Label", "x" * (limits.STAFF_TEXT_MAX + 1), f"Keep the text to {limits.STAFF_TEXT_MAX:,} characters"),
    ],
)
def test_adding_checks_the_limits_with_a_clear_message(signed_in, supervisor, org, label, body, message):
    program = org.programs.get()
    response = signed_in(supervisor).post(
        _url(program), {"canned": "add", "canned-new-label": label, "canned-new-body": body}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'class="field has-error"' in page
    assert program.canned_replies.count() == 3
    # The rest of the page is still there to use.
    assert 'name="program-ack_timeout_seconds"' in page


def test_the_limits_are_exactly_the_bounds(signed_in, supervisor, org):
    program = org.programs.get()
    label, body = "x" * limits.CANNED_LABEL_MAX, "y" * limits.STAFF_TEXT_MAX
    response = signed_in(supervisor).post(
        _url(program), {"canned": "add", "canned-new-label": label, "canned-new-body": body}
    )
    assert response.status_code == 302
    assert program.canned_replies.filter(label=label, body=body).exists()


def test_editing_checks_the_limits_and_keeps_the_old_text(signed_in, supervisor, org):
    program = org.programs.get()
    reply = program.canned_replies.get(label="Call me")
    response = signed_in(supervisor).post(
        _url(program),
        {"canned": "save", "canned_id": reply.pk, f"canned-{reply.pk}-label": "Call me",
         f"canned-{reply.pk}-body": "x" * (limits.STAFF_TEXT_MAX + 1)},
    )  # fmt: skip
    assert response.status_code == 400
    assert f"Keep the text to {limits.STAFF_TEXT_MAX:,} characters or fewer." in response.content.decode()
    reply.refresh_from_db()
    assert reply.body == "I'm free to talk now. Call or text me back when you can."


def test_a_program_keeps_at_most_the_limit(signed_in, supervisor, org):
    program = org.programs.get()
    CannedReply.objects.bulk_create(
        CannedReply(program=program, label=f"Reply {i}", body="Text.", position=10 + i)
        for i in range(limits.CANNED_REPLIES_MAX - program.canned_replies.count())
    )
    client = signed_in(supervisor)
    assert 'name="canned-new-label"' not in client.get(_url(program)).content.decode()
    response = client.post(_url(program), {"canned": "add", "canned-new-label": "One more", "canned-new-body": "Text."})
    assert response.status_code == 400
    assert f"at most {limits.CANNED_REPLIES_MAX} canned replies" in response.content.decode()
    assert program.canned_replies.count() == limits.CANNED_REPLIES_MAX


def test_an_unknown_action_is_refused(signed_in, supervisor, org):
    program = org.programs.get()
    response = signed_in(supervisor).post(_url(program), {"canned": "reorder"})
    assert response.status_code == 400
    assert program.canned_replies.count() == 3


@pytest.mark.parametrize("canned_id", ["", "abc", "999999"])
def test_a_missing_canned_reply_is_not_found(signed_in, supervisor, org, canned_id):
    program = org.programs.get()
    response = signed_in(supervisor).post(_url(program), {"canned": "remove", "canned_id": canned_id})
    assert response.status_code == 404
    assert program.canned_replies.count() == 3


def test_another_programs_canned_reply_is_not_found(signed_in, supervisor, org, outsider):
    program = org.programs.get()
    theirs = outsider.organization.programs.get().canned_replies.first()
    client = signed_in(supervisor)
    assert client.post(_url(program), {"canned": "remove", "canned_id": theirs.pk}).status_code == 404
    assert CannedReply.objects.filter(pk=theirs.pk).exists()
    # Nor through their program's page.
    assert client.post(_url(theirs.program), {"canned": "remove", "canned_id": theirs.pk}).status_code == 404
    assert CannedReply.objects.filter(pk=theirs.pk).exists()


def test_saving_the_settings_form_leaves_the_canned_replies_alone(signed_in, supervisor, org):
    from tests.web.test_program_settings import _form

    program = org.programs.get()
    client = signed_in(supervisor)
    data = _form(client, program)
    assert client.post(_url(program), data).status_code == 302
    assert _labels(program) == ["Checking in", "Call me", "Crisis line"]


def test_canned_replies_need_the_csrf_token(supervisor, org):
    program = org.programs.get()
    reply = program.canned_replies.first()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supervisor.user)
    assert browser.post(_url(program), {"canned": "remove", "canned_id": reply.pk}).status_code == 403
    assert program.canned_replies.count() == 3


# --- The settings page: supporters cannot --------------------------------------------


def test_a_supporter_cannot_change_canned_replies(signed_in, supporter, org):
    program = org.programs.get()
    reply = program.canned_replies.get(label="Call me")
    client = signed_in(supporter)
    assert client.get(_url(program)).status_code == 403
    posts = [
        {"canned": "add", "canned-new-label": "Mine", "canned-new-body": "Text."},
        {"canned": "save", "canned_id": reply.pk, f"canned-{reply.pk}-label": "Changed",
         f"canned-{reply.pk}-body": "Changed."},
        {"canned": "remove", "canned_id": reply.pk},
    ]  # fmt: skip
    for data in posts:
        assert client.post(_url(program), data).status_code == 403
    reply.refresh_from_db()
    assert reply.label == "Call me"
    assert _labels(program) == ["Checking in", "Call me", "Crisis line"]


def test_another_organizations_supervisor_gets_404(signed_in, outsider, org):
    program = org.programs.get()
    reply = program.canned_replies.first()
    response = signed_in(outsider).post(_url(program), {"canned": "remove", "canned_id": reply.pk})
    assert response.status_code == 404
    assert CannedReply.objects.filter(pk=reply.pk).exists()


# --- The reply form --------------------------------------------------------------------


def _pick_list(page: str) -> str:
    start = page.index('<div class="canned-pick" hidden>')
    return page[start : page.index("</div>", start)]


def test_the_member_pages_reply_form_offers_the_programs_canned_replies(signed_in, supporter, member):
    program = member.program
    CannedReply.objects.create(program=program, label="Tom & Jerry", body='Say "hi" <now>', position=9)
    page = signed_in(supporter).get(f"/members/{member.pk}").content.decode()
    picks = _pick_list(page)
    assert '<label for="canned-pick">Canned reply</label>' in picks
    assert 'data-canned-for="id_body"' in picks
    labels = [r.label for r in program.canned_replies.all()]
    positions = [picks.index(f">{label.replace('&', '&amp;')}</option>") for label in labels]
    assert positions == sorted(positions)  # in the program's order
    assert 'data-body="Hi, it&#x27;s your peer supporter. I saw your message. Can I call you today?"' in picks
    assert 'data-body="Say &quot;hi&quot; &lt;now&gt;"' in picks  # escaped in the attribute
    # The pick list is inside the reply form, which still has its own text box.
    form = page[page.index('class="reply-form"') : page.index("</form>", page.index('class="reply-form"'))]
    assert picks in form
    assert 'name="body"' in form


def test_the_alert_pages_reply_form_offers_them_too(signed_in, supporter, member):
    alert = raise_alert(member)
    page = signed_in(supporter).get(f"/alerts/{alert.pk}").content.decode()
    picks = _pick_list(page)
    for label in ["Checking in", "Call me", "Crisis line"]:
        assert f">{label}</option>" in picks


def test_only_the_members_own_programs_replies_are_offered(signed_in, supporter, member, outsider):
    theirs = outsider.organization.programs.get()
    CannedReply.objects.create(program=theirs, label="Elsewhere only", body="Not for this member.")
    page = signed_in(supporter).get(f"/members/{member.pk}").content.decode()
    assert "Elsewhere only" not in page


def test_without_canned_replies_there_is_no_pick_list(signed_in, supporter, member):
    member.program.canned_replies.all().delete()
    page = signed_in(supporter).get(f"/members/{member.pk}").content.decode()
    assert "canned-pick" not in page
    assert 'name="body"' in page


def test_the_pick_list_is_not_sent_with_the_reply(signed_in, supporter, member):
    page = signed_in(supporter).get(f"/members/{member.pk}").content.decode()
    select = _pick_list(page)
    assert "<select" in select
    assert "name=" not in select.split("<select", 1)[1].split(">", 1)[0]
