"""The reads and inserts every inbound text makes are plain SQL
(config/plain_sql.py, docs/performance.md). The reads must build exactly what
the ORM builds, attach the same related objects, and lock exactly the rows the
ORM version locked; the inserts must store exactly what `save()` stores."""

import datetime as dt

import psycopg
import pytest
from django.db import connection, transaction

from checkins.models import Answer, CheckIn, Member, Question
from checkins.schedule import start_checkin
from config import plain_sql
from sms.models import Message
from tests.factories import MemberFactory, OrganizationFactory, StaffFactory


def same_fields(built, loaded) -> None:
    assert type(built) is type(loaded)
    for field in type(loaded)._meta.concrete_fields:
        mine, theirs = getattr(built, field.attname), getattr(loaded, field.attname)
        assert mine == theirs and type(mine) is type(theirs), field.name


@pytest.fixture
def unusual_member(org, supporter):
    """A member and program with a value of every kind a converter touches:
    JSON, dates, times, aware datetimes, nulls, non-ASCII text."""
    program = org.programs.first()
    program.schedule_levels = [1, 3, 5, 14]
    program.adaptive_schedule = True
    program.help_text_es = "Ayuda: responde ALTO — señal ñ"
    program.save()
    return MemberFactory(
        organization=org, supporter=supporter, name="Zoë Ñúñez", language="es",
        paused_until=dt.date(2026, 12, 24), checkin_time=dt.time(18, 45),
    )  # fmt: skip


def test_the_sender_read_builds_what_the_orm_builds(unusual_member, django_assert_num_queries):
    (built,) = Member.objects.texting_from(unusual_member.phone)
    loaded = Member.objects.select_related("program", "supporter__user").get(pk=unusual_member.pk)
    same_fields(built, loaded)
    with django_assert_num_queries(0):
        same_fields(built.program, loaded.program)
        same_fields(built.supporter, loaded.supporter)
        same_fields(built.supporter.user, loaded.supporter.user)
    assert built.program.schedule_levels == [1, 3, 5, 14]
    assert built.paused_until == dt.date(2026, 12, 24)
    assert built.created_at.tzinfo is not None
    # A saved instance, as the ORM would give: saving updates, never inserts.
    assert built._state.adding is False and built._state.db == "default"


def test_every_member_with_the_number_in_the_default_order(db):
    number = "+13125550199"
    first = MemberFactory(phone=number, name="Bea Later", status=Member.Status.DISCHARGED)
    second = MemberFactory(phone=number, name="Ann Earlier", status=Member.Status.DISCHARGED)
    active = MemberFactory(phone=number, name="Cy Now")
    MemberFactory(phone="+13125550198")
    expected = list(Member.objects.filter(phone=number))
    assert [m.pk for m in Member.objects.texting_from(number)] == [m.pk for m in expected]
    assert {first.pk, second.pk, active.pk} == {m.pk for m in expected}
    assert Member.objects.texting_from("+13125550100") == []


def test_the_open_checkin_read_builds_what_the_orm_builds(member, django_assert_num_queries):
    assert member.open_checkin_locked() is None
    start_checkin(member)
    built = member.open_checkin_locked()
    loaded = member.checkins.filter(status=CheckIn.Status.OPEN).select_related("current_question").first()
    same_fields(built, loaded)
    with django_assert_num_queries(0):
        same_fields(built.current_question, loaded.current_question)
        assert built.member is member


def test_the_newest_open_checkin_and_one_without_a_question(member, django_assert_num_queries):
    older = start_checkin(member)
    CheckIn.objects.filter(pk=older.pk).update(scheduled_for=older.scheduled_for - dt.timedelta(days=1))
    newer = CheckIn.objects.create(
        member=member, scheduled_for=older.scheduled_for, closes_at=older.closes_at, current_question=None
    )
    built = member.open_checkin_locked()
    assert built.pk == newer.pk
    with django_assert_num_queries(0):
        assert built.current_question is None


def test_the_programs_questions_match_the_orm(org):
    program = org.programs.first()
    Question.objects.filter(program=program, key="craving").update(is_active=False)
    Question.objects.create(program=program, key="zz_first", kind="yes_no", position=0, text_en="A?", text_es="¿A?")
    expected = list(program.questions.filter(is_active=True, series__isnull=True).order_by("position", "id"))
    built = program.active_questions()
    assert [q.pk for q in built] == [q.pk for q in expected]
    for mine, theirs in zip(built, expected, strict=True):
        same_fields(mine, theirs)
    assert "craving" not in [q.key for q in built]


def _other_connection():
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"] or None,
        port=settings["PORT"] or None, password=settings["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip


def _can_lock(other, table: str, pk: int, strength: str) -> bool:
    try:
        with other.transaction():
            other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR {strength} NOWAIT", [pk])
        return True
    except psycopg.errors.LockNotAvailable:
        return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_the_member_and_checkin_rows_are_locked_and_not_against_key_share():
    # Enrolments insert rows that reference the program and the supporter
    # (FOR KEY SHARE on them): a text must neither hold those rows nor block
    # such inserts on its own member row (docs/architecture.md, lock order).
    organization = OrganizationFactory()
    member = MemberFactory(organization=organization, supporter=StaffFactory(organization=organization))
    checkin = start_checkin(member)
    with _other_connection() as other, transaction.atomic():
        (sender,) = Member.objects.texting_from(member.phone)
        assert sender.open_checkin_locked().pk == checkin.pk
        assert not _can_lock(other, Member._meta.db_table, member.pk, "UPDATE")
        assert not _can_lock(other, CheckIn._meta.db_table, checkin.pk, "UPDATE")
        assert _can_lock(other, Member._meta.db_table, member.pk, "KEY SHARE")
        assert _can_lock(other, CheckIn._meta.db_table, checkin.pk, "KEY SHARE")
        assert _can_lock(other, "checkins_program", member.program_id, "UPDATE")
        assert _can_lock(other, "accounts_staff", member.supporter_id, "UPDATE")
        assert _can_lock(other, "checkins_question", checkin.current_question_id, "UPDATE")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_reads_are_prepared_once_per_connection():
    # Prepared so that PostgreSQL plans each read once per connection. (While
    # Django logs queries, as CaptureQueriesContext does, they run unprepared
    # so that the log holds their SQL: tests/perf/test_query_counts.py.)
    member = MemberFactory()
    start_checkin(member)

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    for _ in range(3):
        with transaction.atomic():
            (sender,) = Member.objects.texting_from(member.phone)
            sender.open_checkin_locked()
            sender.program.active_questions()
    statements = prepared()
    for table in (Member._meta.db_table, CheckIn._meta.db_table, Question._meta.db_table):
        assert sum(f"FROM {table} " in s for s in statements) == 1, table
    # A new connection prepares them again, and they still work.
    connection.close()
    (sender,) = Member.objects.texting_from(member.phone)
    assert sender.pk == member.pk
    assert len(prepared()) == 1



def _new_row(kind: str, member, n: int):
    """A new row of each kind the webhook inserts, as it builds them, with
    non-ASCII text and nulls."""
    def text(sid: int) -> Message:
        return Message(
            direction=Message.Direction.INBOUND, kind=Message.Kind.TEXT, provider_sid=f"SM{sid:032x}",
            phone=member.phone, body="Ñandú — 4 😊", status=Message.Status.RECEIVED, is_crisis=True,
            member=member, organization_id=member.organization_id,
        )  # fmt: skip

    if kind == "inbound text":
        return text(n)
    if kind == "reply":
        return Message.outbound(
            phone=member.phone, body="Gracias", kind=Message.Kind.REPLY, priority=Message.Priority.REPLY,
            status=Message.Status.SENT, member=member,
        )  # fmt: skip
    # An answer: to a check-in of its own (one answer per question).
    checkin = start_checkin(member)
    text = text(1000 + n)
    text.save()
    value = None if kind == "answer not understood" else 4
    return Answer(checkin=checkin, question=checkin.current_question, text="cuatro", value=value, message=text)


ROW_KINDS = ["inbound text", "reply", "answer", "answer not understood"]
DIFFERS = {"id", "provider_sid", "checkin", "message"}  # by construction


@pytest.mark.parametrize("kind", ROW_KINDS)
def test_an_insert_stores_what_save_stores(member, kind):
    mine = plain_sql.insert(_new_row(kind, member, 1))
    theirs = _new_row(kind, member, 2)
    theirs.save()
    assert mine.pk is not None and mine._state.adding is False and mine._state.db == "default"
    stored_mine, stored_theirs = type(mine).objects.get(pk=mine.pk), type(theirs).objects.get(pk=theirs.pk)
    for field in type(mine)._meta.concrete_fields:
        if field.name in DIFFERS:
            continue
        a, b = getattr(stored_mine, field.attname), getattr(stored_theirs, field.attname)
        assert type(a) is type(b), field.name
        if isinstance(a, dt.datetime):
            # Defaults and auto_now are read at each insert: a moment apart.
            assert a.tzinfo is not None and abs(a - b) < dt.timedelta(seconds=5), field.name
        else:
            assert a == b, field.name
    # The instance holds what was stored, auto_now included, as after save()
    # (choices stay the enum members they were given as).
    for field in type(mine)._meta.concrete_fields:
        assert getattr(mine, field.attname) == getattr(stored_mine, field.attname), field.name


def test_a_second_insert_of_the_same_message_sid_is_an_integrity_error(member):
    from django.db import IntegrityError

    plain_sql.insert(_new_row("inbound text", member, 7))
    with pytest.raises(IntegrityError), transaction.atomic():
        plain_sql.insert(_new_row("inbound text", member, 7))
    assert Message.objects.filter(provider_sid=f"SM{7:032x}").count() == 1


def test_a_model_with_its_own_save_goes_through_it(member):
    # ScheduleChange.save refuses to change a stored row; insert() must not
    # step around a model's own save().
    from checkins.models import ScheduleChange

    change = plain_sql.insert(ScheduleChange(member=member, from_level=1, to_level=2, reason="steady"))
    assert ScheduleChange.objects.filter(pk=change.pk).exists()
    with pytest.raises(ValueError):
        plain_sql.insert(change)


@pytest.mark.parametrize(
    "changes",
    [
        {"reasked": True},
        {"current_question": None, "reasked": False},
        {"status": CheckIn.Status.COMPLETED, "ended_at": dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)},
    ],
    ids=["a flag", "a key to null", "a choice and a time"],
)
def test_an_update_writes_what_save_writes_and_nothing_else(member, changes):
    mine, theirs = start_checkin(member), start_checkin(MemberFactory())
    untouched = CheckIn.objects.get(pk=mine.pk)
    for checkin in (mine, theirs):
        for name, value in changes.items():
            setattr(checkin, name, value)
    mine.closes_at = theirs.closes_at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)  # not among the fields: not written
    plain_sql.update(mine, list(changes))
    theirs.save(update_fields=list(changes))
    stored_mine, stored_theirs = CheckIn.objects.get(pk=mine.pk), CheckIn.objects.get(pk=theirs.pk)
    for name in changes:
        field = CheckIn._meta.get_field(name)
        assert getattr(stored_mine, field.attname) == getattr(stored_theirs, field.attname), name
    assert stored_mine.closes_at == untouched.closes_at


def test_an_update_of_a_row_that_is_gone_fails_as_save_does(member):
    from django.db import DatabaseError

    checkin = start_checkin(member)
    CheckIn.objects.filter(pk=checkin.pk).delete()
    checkin.reasked = True
    with pytest.raises(DatabaseError):
        plain_sql.update(checkin, ["reasked"])


def test_an_unsaved_related_object_is_refused_as_save_refuses_it(member):
    # Storing a null where a message was meant would lose the link silently.
    checkin = start_checkin(member)
    unsaved = _new_row("inbound text", member, 9)
    answer = Answer(checkin=checkin, question=checkin.current_question, text="4", value=4, message=unsaved)
    with pytest.raises(ValueError):
        plain_sql.insert(answer)
    assert not Answer.objects.filter(checkin=checkin).exists()


def test_an_expression_is_left_to_the_orm(member):
    from django.db.models.functions import Now

    checkin = start_checkin(member)
    checkin.ended_at = Now()
    checkin.status = CheckIn.Status.COMPLETED
    plain_sql.update(checkin, ["status", "ended_at"])
    assert CheckIn.objects.get(pk=checkin.pk).ended_at is not None
