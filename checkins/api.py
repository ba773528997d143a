import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, Field

from accounts.auth import require_supervisor
from alerts.models import RuleSetting, Severity
from checkins import adaptive
from checkins.enrollment import EnrollmentError, discharge_member, enroll_member, reassign_members, update_member
from checkins.models import CheckIn, Member, Program
from checkins.pausing import pause, resume
from checkins.records_api import ReadPurpose, record_api_read
from checkins.schedule import start_checkin
from config import limits
from config.api_errors import ApiError
from config.pagination import Pagination
from records import consent as consent_records

router = Router(tags=["programs and members"])


# --- Programs ----------------------------------------------------------------


class QuestionOut(Schema):
    key: str
    kind: str
    scale_min: int | None
    scale_max: int | None
    text_en: str
    text_es: str
    ask_if_key: str
    ask_if_at_most: int | None


class RuleOut(Schema):
    kind: str
    enabled: bool
    severity: str
    threshold: int | None


HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class ProgramOut(Schema):
    id: int
    name: str
    checkin_window_minutes: int
    send_window_start: str = Field(description='Local time "HH:MM"')
    send_window_end: str = Field(description='Local time "HH:MM"')
    ack_timeout_seconds: int
    max_reminders: int
    crisis_text_en: str
    crisis_text_es: str
    help_text_en: str
    help_text_es: str
    adaptive_schedule: bool = Field(description="Risk-adaptive schedule on (docs/adaptive.md); off: daily.")
    schedule_levels: list[int] = Field(description="Days between check-ins at each level, most frequent first.")
    step_down_after: int = Field(description="Clear check-ins in a row that move a member one level less frequent.")
    step_up_on_alert: bool = Field(description="Any risk alert moves the member straight back to the first level.")
    step_up_after_missed: int = Field(description="Missed check-ins in a row that move the member back (0: never).")
    step_up_on_worsening: bool = Field(
        description="A worsening trend (mood falling, craving above usual) moves the member back."
    )
    questions: list[QuestionOut]
    rules: list[RuleOut]


class RuleIn(Schema):
    kind: Literal[tuple(RuleSetting.Kind.values)]  # type: ignore[valid-type]
    enabled: bool | None = None
    severity: Literal[tuple(Severity.values)] | None = None  # type: ignore[valid-type]
    # The outer bound; the rule's own range (its question's scale) is the model's to check.
    threshold: int | None = Field(default=None, ge=limits.THRESHOLD_ANY.min, le=limits.THRESHOLD_ANY.max)


def _bounded(bounds: limits.Range) -> dict:
    return {"default": None, "ge": bounds.min, "le": bounds.max}


def _text(min_length: int, max_length: int) -> dict:
    return {"default": None, "min_length": min_length, "max_length": max_length}


class ProgramPatch(Schema):
    name: str | None = Field(**_text(1, limits.PROGRAM_NAME_MAX))
    checkin_window_minutes: int | None = Field(**_bounded(limits.CHECKIN_WINDOW_MINUTES))
    send_window_start: str | None = Field(default=None, pattern=HHMM, description='Local time "HH:MM"')
    send_window_end: str | None = Field(default=None, pattern=HHMM, description='Local time "HH:MM"')
    ack_timeout_seconds: int | None = Field(**_bounded(limits.ACK_TIMEOUT_SECONDS))
    max_reminders: int | None = Field(**_bounded(limits.MAX_REMINDERS))
    crisis_text_en: str | None = Field(**_text(limits.PROGRAM_TEXT.min, limits.PROGRAM_TEXT.max))
    crisis_text_es: str | None = Field(**_text(limits.PROGRAM_TEXT.min, limits.PROGRAM_TEXT.max))
    help_text_en: str | None = Field(**_text(limits.PROGRAM_TEXT.min, limits.PROGRAM_TEXT.max))
    help_text_es: str | None = Field(**_text(limits.PROGRAM_TEXT.min, limits.PROGRAM_TEXT.max))
    rules: list[RuleIn] | None = Field(default=None, max_length=len(RuleSetting.Kind) * 2)
    adaptive_schedule: bool | None = None
    # Any list: the model's clean() says what is wrong with it, under its own name.
    schedule_levels: list[Any] | None = Field(default=None, max_length=limits.SCHEDULE_LEVEL_COUNT.max * 4)
    # Bounds (config.limits) checked by clean(), in the same words as the settings page.
    step_down_after: int | None = None
    step_up_on_alert: bool | None = None
    step_up_after_missed: int | None = None
    step_up_on_worsening: bool | None = None


def program_out(program: Program) -> dict:
    data = {field: getattr(program, field) for field in ProgramOut.model_fields if field not in ("questions", "rules")}
    data["send_window_start"] = program.send_window_start.strftime("%H:%M")
    data["send_window_end"] = program.send_window_end.strftime("%H:%M")
    data["questions"] = list(program.questions.filter(is_active=True, series__isnull=True).order_by("position").values())
    stored = {rule["kind"]: rule for rule in program.rules.values("kind", "enabled", "severity", "threshold")}
    # A rule without a row runs on its default (alerts.rules.RuleBook): show that.
    data["rules"] = [
        stored.get(kind) or {"kind": kind, "enabled": True, "severity": severity, "threshold": threshold}
        for kind, (severity, threshold) in RuleSetting.DEFAULTS.items()
    ]
    return data


@router.get("/programs", response=list[ProgramOut], summary="Programs of the organization")
@paginate(Pagination)
def list_programs(request):
    require_supervisor(request.staff, "see program settings")
    return [program_out(p) for p in Program.objects.filter(organization=request.staff.organization)]


def _first_problem(error: ValidationError) -> tuple[str, str]:
    """(field, message) of a model's ValidationError."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.message_dict.items()))
        return field, errors[0]
    return "", error.messages[0]


@router.patch("/programs/{program_id}", response=ProgramOut, summary="Tune a program")
def patch_program(request, program_id: int, payload: ProgramPatch):
    """All or nothing: every change is checked (by the models' own clean())
    before anything is written, so a refused PATCH leaves the program as it was."""
    require_supervisor(request.staff, "change program settings")
    program = get_object_or_404(Program, pk=program_id, organization=request.staff.organization)
    changes = payload.dict(exclude_unset=True)
    rule_changes = changes.pop("rules", None) or []
    for field, value in changes.items():
        if value is None:
            raise ApiError(422, f"{field}: may not be null.", field=field)
        if field in ("send_window_start", "send_window_end"):
            value = dt.time.fromisoformat(value)
        setattr(program, field, value)
    try:
        program.clean()
    except ValidationError as error:
        field, message = _first_problem(error)
        raise ApiError(422, f"{field}: {message}", field=field) from None

    rules = {rule.kind: rule for rule in program.rules.all()}
    changed: dict[str, RuleSetting] = {}
    for index, change in enumerate(rule_changes):
        kind = change["kind"]
        if kind not in rules:
            # A program made without this row: it starts from the default.
            severity, threshold = RuleSetting.DEFAULTS[kind]
            rules[kind] = RuleSetting(program=program, kind=kind, severity=severity, threshold=threshold)
        rule = changed[kind] = rules[kind]
        for field in ("enabled", "severity", "threshold"):
            if change.get(field) is not None:
                setattr(rule, field, change[field])
        problems = rule.problems()
        if problems:
            field, message = next(iter(problems.items()))
            name = f"rules.{index}.{field}"
            raise ApiError(422, f"{name}: {message}", field=name)

    try:
        with transaction.atomic():
            if changes:
                program.save(update_fields=list(changes))
            for rule in changed.values():
                rule.save()
    except IntegrityError:
        # Another PATCH created the same missing rule row a moment ago.
        raise ApiError(409, "The program was changed at the same moment; send the change again.") from None
    return program_out(program)


# --- Members -----------------------------------------------------------------


class MemberIn(Schema):
    name: str = Field(max_length=limits.PERSON_NAME_MAX)
    phone: str = Field(max_length=limits.PHONE_INPUT_MAX)
    timezone: str = Field(max_length=limits.TIMEZONE_NAME_MAX)
    language: Literal["en", "es"] = "en"
    program_id: int
    supporter_id: int
    checkin_time: str = Field(max_length=limits.TIME_INPUT_MAX, description='Local time "HH:MM"')
    consent: bool
    consent_method: str = Field(default="recorded by staff", max_length=limits.CONSENT_FIELD_MAX)
    consent_text_version: str | None = Field(default=None, max_length=limits.CONSENT_FIELD_MAX)


class MemberPatch(Schema):
    name: str | None = Field(default=None, max_length=limits.PERSON_NAME_MAX)
    phone: str | None = Field(default=None, max_length=limits.PHONE_INPUT_MAX)
    timezone: str | None = Field(default=None, max_length=limits.TIMEZONE_NAME_MAX)
    language: Literal["en", "es"] | None = None
    program_id: int | None = None
    supporter_id: int | None = None
    checkin_time: str | None = Field(default=None, max_length=limits.TIME_INPUT_MAX)
    status: Literal["active", "paused", "discharged"] | None = None


class ConsentOut(Schema):
    at: dt.datetime
    method: str
    text_version: str


class MemberOut(Schema):
    id: int
    name: str
    phone: str
    timezone: str
    language: str
    program_id: int
    supporter_id: int
    checkin_time: str
    status: str
    unreachable: bool
    next_checkin_at: dt.datetime | None
    paused_until: dt.date | None = Field(
        description="While paused: the date check-ins start again; null: until resumed."
    )
    pause_reason: str = Field(description='While paused: "inpatient", "travel", "break" or "other"; otherwise "".')
    discharged_at: dt.datetime | None
    schedule_level: int = Field(
        description="Level on the program's adaptive schedule, 0 the most frequent (docs/adaptive.md); "
        "0 while adaptation is off."
    )
    schedule_interval_days: int = Field(description="Days between the member's scheduled check-ins now.")
    schedule_reason: str = Field(
        description='Why the member is at this level ("14 clear check-ins in a row"); "" at the start.'
    )
    consent: ConsentOut
    consent_state: Literal["granted", "revoked"] = Field(
        description="The newest consent record: while `revoked` the member gets no texts (GET /members/{id}/consent)."
    )
    created_at: dt.datetime

    @staticmethod
    def resolve_checkin_time(member: Member) -> str:
        return member.checkin_time.strftime("%H:%M")

    @staticmethod
    def resolve_schedule_level(member: Member) -> int:
        return adaptive.level_of(member, member.program)

    @staticmethod
    def resolve_schedule_interval_days(member: Member) -> int:
        return adaptive.interval_days(member, member.program)

    @staticmethod
    def resolve_schedule_reason(member: Member) -> str:
        return member.schedule_reason if member.program.adaptive_schedule else ""

    @staticmethod
    def resolve_unreachable(member: Member) -> bool:
        return member.unreachable_since is not None

    @staticmethod
    def resolve_consent(member: Member) -> dict:
        return {"at": member.consent_at, "method": member.consent_method, "text_version": member.consent_text_version}

    @staticmethod
    def resolve_consent_state(member: Member) -> str:
        return "granted" if consent_records.is_granted(member) else "revoked"


@router.post("/members", response={201: MemberOut}, summary="Enroll a member")
def create_member(request, payload: MemberIn):
    require_supervisor(request.staff, "enroll members")
    data = payload.dict()
    data["timezone_name"] = data.pop("timezone")
    if data["consent_text_version"] is None:
        del data["consent_text_version"]
    try:
        member = enroll_member(request.staff.organization, **data, by=request.staff, via="api")
    except EnrollmentError as error:
        raise _api_error(error) from None
    return Status(201, member)


def _api_error(error: EnrollmentError) -> ApiError:
    return ApiError(error.status, error.message, field=error.field)


@router.get("/members", response=list[MemberOut], summary="Members (a supporter sees their own)")
@paginate(Pagination)
def list_members(request, status: str | None = None, needs_reassignment: bool | None = None):
    """`needs_reassignment=true` (supervisors): members, not discharged, whose
    supporter has been deactivated."""
    members = Member.objects.visible_to(request.staff)
    if status:
        members = members.filter(status=status)
    if needs_reassignment is not None:
        require_supervisor(request.staff, "list the members who need reassignment")
        if needs_reassignment:
            members = members.filter(supporter__user__is_active=False).exclude(status=Member.Status.DISCHARGED)
        else:
            members = members.filter(supporter__user__is_active=True)
    return members.select_related("current_consent", "program").order_by("name", "id")


class ReassignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    member_ids: list[int] = Field(min_length=1, max_length=500)
    supporter_id: int


class MemberList(Schema):
    items: list[MemberOut]
    count: int


@router.post("/members/reassign", response=MemberList, summary="Move members to another supporter")
def reassign(request, payload: ReassignIn):
    """All or nothing: if any of `member_ids` is not a member of the
    organization, nobody moves (`422`). The members' open alerts follow them.
    Answers with every member named, as `{"items", "count"}`."""
    require_supervisor(request.staff, "reassign members")
    try:
        members = reassign_members(
            request.staff.organization, payload.member_ids, payload.supporter_id, by=request.staff, via="api"
        )
    except EnrollmentError as error:
        raise _api_error(error) from None
    prefetch_related_objects(members, "current_consent")
    return {"items": members, "count": len(members)}


@router.get("/members/{member_id}", response=MemberOut)
def get_member(request, member_id: int):
    return get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)


class ScheduleChangeOut(Schema):
    at: dt.datetime
    from_level: int = Field(description="0: the program's most frequent level")
    to_level: int
    reason: str


@router.get(
    "/members/{member_id}/schedule-changes",
    response=list[ScheduleChangeOut],
    summary="A member's moves on the adaptive schedule, newest first",
)
@paginate(Pagination)
def list_schedule_changes(request, member_id: int):
    member = get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    return member.schedule_changes.order_by("-at", "-id")


@router.patch("/members/{member_id}", response=MemberOut)
def patch_member(request, member_id: int, payload: MemberPatch):
    member = get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    changes = payload.dict(exclude_unset=True)
    for field, value in changes.items():
        if value is None:
            raise ApiError(422, f"{field}: may not be null.", field=field)
    try:
        update_member(member, changes, by=request.staff, via="api")
    except EnrollmentError as error:
        raise _api_error(error) from None
    return member


class PauseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    until: str | None = Field(
        default=None, max_length=40,
        description='"YYYY-MM-DD": check-ins start again that morning, member\'s time; null: until resumed.',
    )
    reason: Literal[tuple(Member.PauseReason.values)] = Field(  # type: ignore[valid-type]
        description="A category only, never health details."
    )


@router.post("/members/{member_id}/pause", response=MemberOut, summary="Pause a member's check-ins")
def pause_member(request, member_id: int, payload: PauseIn):
    """No check-ins are sent (and none can be missed) until `until`, or until
    resumed. Crisis words, STOP, HELP and free texts still work. Only an active
    or paused member can be paused (`409` otherwise)."""
    member = get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    try:
        pause(member, until=payload.until, reason=payload.reason, by=request.staff, via="api")
    except EnrollmentError as error:
        raise _api_error(error) from None
    return member


@router.post("/members/{member_id}/resume", response=MemberOut, summary="Resume a paused member's check-ins")
def resume_member(request, member_id: int):
    """From the next scheduled time, with a welcome-back text. `409` if the member is not paused."""
    member = get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    try:
        resume(member, by=request.staff, via="api")
    except EnrollmentError as error:
        raise _api_error(error) from None
    return member


@router.post("/members/{member_id}/discharge", response=MemberOut, summary="Discharge a member")
def discharge(request, member_id: int):
    """No more texts of any kind (a crisis text from them still gets the
    crisis reply and an alert); the phone number becomes free. `409` if already discharged."""
    member = get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    try:
        discharge_member(member, by=request.staff, via="api")
    except EnrollmentError as error:
        raise _api_error(error) from None
    return member


# --- Check-ins ---------------------------------------------------------------


class CheckInStarted(Schema):
    id: int
    status: str


class AnswerOut(Schema):
    question: str
    text: str
    value: int | bool | None


class CheckInOut(Schema):
    id: int
    status: str
    source: str
    scheduled_for: dt.datetime
    started_at: dt.datetime
    ended_at: dt.datetime | None
    answers: list[AnswerOut]

    @staticmethod
    def resolve_answers(checkin: CheckIn) -> list[dict]:
        return [
            {"question": a.question.key, "text": a.text, "value": a.display_value}
            for a in checkin.answers.all()
        ]


@router.post("/members/{member_id}/checkins", response={201: CheckInStarted}, summary="Start a check-in now")
def start_member_checkin(request, member_id: int):
    member = get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    if member.status != Member.Status.ACTIVE:
        raise ApiError(409, f"This member is {member.get_status_display().lower()}: no check-in can be sent.")
    checkin = start_checkin(member, source=CheckIn.Source.STAFF)
    return Status(201, {"id": checkin.id, "status": checkin.status})


@router.get("/members/{member_id}/checkins", response=list[CheckInOut], summary="A member's check-ins, newest first")
@paginate(Pagination)
def list_member_checkins(request, member_id: int, stated: Query[ReadPurpose]):
    """Each call is recorded: in the access log, and in the disclosure
    register (channel `api`) with `purpose` and `recipient` as stated."""
    member = get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    record_api_read(
        request, member, data="check-in answers", where="api:GET /members/{id}/checkins", stated=stated
    )
    return (
        member.checkins.exclude(status=CheckIn.Status.SKIPPED)
        .order_by("-started_at", "-id")
        .prefetch_related("answers__question")
    )
