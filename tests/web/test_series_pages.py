"""The question series page for supervisors, the member page's score chart
and the review page's distribution."""

import datetime as dt

import pytest

from checkins import series as engine
from checkins.models import CheckIn, SeriesDue, SeriesScore
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _score(member, series, score, at):
    checkin = CheckIn.objects.create(member=member, series=series, scheduled_for=at, closes_at=at, status="completed")
    return SeriesScore.objects.create(member=member, series=series, checkin=checkin, score=score, at=at)


def test_settings_page_links_to_the_series_page(signed_in, supervisor, org):
    program = org.programs.get()
    page = signed_in(supervisor).get(f"/settings/{program.pk}")
    assert f"/settings/{program.pk}/series" in page.content.decode()


def test_install_barc10_turn_it_on_and_off(signed_in, supervisor, org, member):
    client = signed_in(supervisor)
    program = org.programs.get()
    url = f"/settings/{program.pk}/series"
    page = client.get(url)
    assert page.status_code == 200 and "Install BARC-10" in page.content.decode()
    assert client.post(url, {"action": "install"}).status_code == 302
    series = program.series.get(key="barc10")
    assert not series.is_active
    page = client.get(url).content.decode()
    assert "Recovery capital (BARC-10)" in page and "docs/recovery-capital.md" in page and "Install BARC-10" not in page
    client.post(url, {"action": "on", "series_id": series.pk})
    series.refresh_from_db()
    assert series.is_active and SeriesDue.objects.filter(member=member).count() == 1
    client.post(url, {"action": "off", "series_id": series.pk})
    series.refresh_from_db()
    assert not series.is_active and not SeriesDue.objects.exists()
    # The settings page still edits only the daily check-in's questions.
    settings_page = client.get(f"/settings/{program.pk}")
    assert [f.instance.key for f in settings_page.context["questions"]] == ["mood", "craving", "used", "safety"]


def test_add_a_simple_weekly_series(signed_in, supervisor, org):
    client = signed_in(supervisor)
    program = org.programs.get()
    response = client.post(
        f"/settings/{program.pk}/series",
        {
            "action": "add",
            "new-name": "Meetings attended",
            "new-every_days": "7",
            "new-alert_below": "1",
            "new-q1_text_en": "How many meetings did you go to this week, 0 to 7?",
            "new-q1_text_es": "¿A cuántas reuniones fuiste esta semana, del 0 al 7?",
            "new-q1_kind": "scale",
            "new-q1_scale_min": "0",
            "new-q1_scale_max": "7",
            "new-q2_text_en": "Did you talk to your sponsor? Reply YES or NO.",
            "new-q2_kind": "yes_no",
            "new-q3_kind": "scale",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    series = program.series.get(key="meetings-attended")
    assert (series.every_days, series.alert_below, series.is_active, series.at_enrolment) == (7, 1, False, False)
    questions = series.active_questions()
    assert [(q.key, q.kind, q.scale_min, q.scale_max) for q in questions] == [
        ("meetings-attended_1", "scale", 0, 7), ("meetings-attended_2", "yes_no", None, None),
    ]  # fmt: skip
    assert questions[1].text_es == questions[1].text_en


def test_a_bad_series_is_refused_next_to_the_field(signed_in, supervisor, org):
    client = signed_in(supervisor)
    program = org.programs.get()
    response = client.post(
        f"/settings/{program.pk}/series",
        {"action": "add", "new-name": "Weekly", "new-every_days": "7", "new-q1_text_en": "How many?",
         "new-q1_kind": "scale", "new-q1_scale_min": "5", "new-q1_scale_max": "2",
         "new-q2_kind": "scale", "new-q3_kind": "scale"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors["q1_scale_max"] == ["Must be more than the scale's lowest value."]
    assert not program.series.exists()


def test_supporters_cannot_open_the_series_page(signed_in, supporter, org):
    assert signed_in(supporter).get(f"/settings/{org.programs.get().pk}/series").status_code == 403


def test_other_organizations_programs_are_404(signed_in, outsider, org):
    assert signed_in(outsider).get(f"/settings/{org.programs.get().pk}/series").status_code == 404


def test_member_page_shows_the_score_trend_with_its_line(signed_in, supervisor, org, member):
    series = engine.install_builtin(org.programs.get())
    engine.turn_on(series)
    now = dt.datetime.now(dt.UTC)
    for days, score in ((60, 50), (30, 48), (0, 41)):
        _score(member, series, score, now - dt.timedelta(days=days))
    page = signed_in(supervisor).get(f"/members/{member.pk}").content.decode()
    assert "Recovery capital (BARC-10)" in page
    assert 'class="chart score-chart"' in page
    assert "47: associated with sustained remission" in page
    assert "41 of 60" in page and "50 on" in page


def test_member_page_without_series_has_no_score_section(signed_in, supervisor, member):
    page = signed_in(supervisor).get(f"/members/{member.pk}").content.decode()
    assert "score-chart" not in page


def test_review_page_shows_distribution_and_monthly_median(signed_in, supervisor, org, supporter):
    series = engine.install_builtin(org.programs.get())
    now = dt.datetime.now(dt.UTC)
    members = [MemberFactory(organization=org, supporter=supporter) for _ in range(4)]
    for member, (old, new) in zip(members, [(40, 50), (30, 35), (20, 22), (55, 58)]):
        _score(member, series, old, now - dt.timedelta(days=35))
        _score(member, series, new, now - dt.timedelta(hours=1))
    response = signed_in(supervisor).get("/review/")
    summary = response.context["series_summaries"][0]
    assert summary["members"] == 4
    # Latest scores 50, 35, 22, 58 in the bands 10–27, 28–46, 47–60.
    assert [(b["low"], b["high"], b["count"]) for b in summary["bands"]] == [(10, 27, 1), (28, 46, 1), (47, 60, 2)]
    months = summary["months"]
    assert len(months) == 6 and months[-1]["median"] == 42.5
    page = response.content.decode()
    assert "Recovery capital (BARC-10)" in page and "47–60 (2)" in page
