"""The recovery_capital rule: a series' score under its line, or fallen by its drop, is an info alert."""

import datetime as dt

import pytest
import time_machine

from alerts import rules
from alerts.models import Alert, RuleSetting
from checkins import series as engine
from checkins.models import CheckIn, SeriesScore
from sms.models import Message

pytestmark = pytest.mark.django_db


def barc10(member, **settings):
    series = engine.install_builtin(member.program)
    for field, value in settings.items():
        setattr(series, field, value)
    series.save()
    return series


def scored(member, series, score, at, django_capture_on_commit_callbacks):
    """A completed series check-in with its score, as checkins.series.finish stores it."""
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        checkin = CheckIn.objects.create(
            member=member, series=series, scheduled_for=at, closes_at=at + dt.timedelta(hours=3), status="completed"
        )
        saved = SeriesScore.objects.create(member=member, series=series, checkin=checkin, score=score, at=at)
        from checkins.signals import series_scored

        series_scored.send(sender=SeriesScore, score=saved)
    return saved


NOV_3 = dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.UTC)


def test_a_drop_of_the_set_size_raises_an_info_alert_with_a_plain_reason(member, django_capture_on_commit_callbacks):
    series = barc10(member)  # the default: alert_drop 6, no line
    scored(member, series, 50, NOV_3, django_capture_on_commit_callbacks)
    assert not Alert.objects.exists()
    scored(member, series, 42, NOV_3 + dt.timedelta(days=30), django_capture_on_commit_callbacks)
    alert = Alert.objects.get(member=member)
    assert (alert.severity, alert.topic) == ("info", "recovery_capital")
    assert alert.reasons == ["Recovery capital score fell 8 points since 3 Nov (from 50 to 42)."]
    # Info alerts are never texted.
    assert not Message.objects.filter(alert=alert).exists()


def test_a_smaller_drop_or_a_rise_raises_nothing(member, django_capture_on_commit_callbacks):
    series = barc10(member)
    scored(member, series, 50, NOV_3, django_capture_on_commit_callbacks)
    scored(member, series, 45, NOV_3 + dt.timedelta(days=30), django_capture_on_commit_callbacks)
    scored(member, series, 55, NOV_3 + dt.timedelta(days=60), django_capture_on_commit_callbacks)
    assert not Alert.objects.exists()


def test_a_score_under_the_line(member, django_capture_on_commit_callbacks):
    series = barc10(member, alert_below=47)
    scored(member, series, 42, NOV_3, django_capture_on_commit_callbacks)
    assert Alert.objects.get(member=member).reasons == ["Recovery capital score 42 of 60, under 47."]


def test_under_the_line_and_fallen_is_one_alert_with_both_reasons(member, django_capture_on_commit_callbacks):
    series = barc10(member, alert_below=40)
    scored(member, series, 50, NOV_3, django_capture_on_commit_callbacks)
    scored(member, series, 38, NOV_3 + dt.timedelta(days=30), django_capture_on_commit_callbacks)
    alert = Alert.objects.get(member=member)
    assert alert.reasons == [
        "Recovery capital score 38 of 60, under 40.",
        "Recovery capital score fell 12 points since 3 Nov (from 50 to 38).",
    ]


def test_an_info_alert_stays_apart_from_the_members_risk_alert(member, django_capture_on_commit_callbacks):
    from alerts.routing import raise_alerts

    raise_alerts(member, [rules.RuleBook(member.program).finding(RuleSetting.Kind.MOOD_LOW, "Mood 1 of 5.")])
    series = barc10(member, alert_below=47)
    scored(member, series, 30, NOV_3, django_capture_on_commit_callbacks)
    assert sorted(Alert.objects.filter(member=member).values_list("severity", flat=True)) == ["info", "warning"]


def test_a_custom_series_names_itself_and_the_rule_can_be_switched_off(member, django_capture_on_commit_callbacks):
    series = engine.create_custom(
        member.program,
        name="Meetings attended",
        key="meetings",
        alert_below=1,
        questions=[{"key": "meetings", "scale_min": 0, "scale_max": 7, "text_en": "How many meetings, 0 to 7?"}],
    )
    scored(member, series, 0, NOV_3, django_capture_on_commit_callbacks)
    assert Alert.objects.get(member=member).reasons == ["Meetings attended score 0 of 7, under 1."]
    Alert.objects.all().update(status="resolved")
    RuleSetting.install_defaults(member.program)
    member.program.rules.filter(kind="recovery_capital").update(enabled=False)
    scored(member, series, 0, NOV_3 + dt.timedelta(days=7), django_capture_on_commit_callbacks)
    assert not Alert.objects.exclude(status="resolved").exists()


def test_the_rule_is_a_default_of_every_new_program(org):
    rule = org.programs.get().rules.get(kind="recovery_capital")
    assert (rule.enabled, rule.severity, rule.threshold) == (True, "info", None)
