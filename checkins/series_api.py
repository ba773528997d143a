"""Question series for supervisors: list a program's, write one, install
BARC-10, turn one on or off and tune it; a member's scores for staff who can
see the member. The engine is checkins.series; these are thin wrappers."""

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from accounts.auth import require_supervisor
from checkins import series as engine
from checkins.models import Member, Program, Series, SeriesScore
from checkins.records_api import ReadPurpose, record_api_read
from config.api_errors import ApiError

router = Router(tags=["question series"])


class SeriesQuestionOut(Schema):
    key: str
    kind: str
    scale_min: int | None
    scale_max: int | None
    text_en: str
    text_es: str
    ask_if_key: str
    ask_if_at_most: int | None


class SeriesOut(Schema):
    id: int
    program_id: int
    key: str
    name: str
    builtin: str
    every_days: int
    at_enrolment: bool
    scoring: str
    alert_below: int | None
    alert_drop: int | None
    intro_en: str
    intro_es: str
    is_active: bool
    max_score: int
    questions: list[SeriesQuestionOut]


class SeriesQuestionIn(Schema):
    key: str = Field(min_length=1, max_length=40)
    kind: Literal["scale", "yes_no"] = "scale"
    scale_min: int | None = None
    scale_max: int | None = None
    text_en: str = Field(min_length=1, max_length=engine.TEXT_MAX)
    text_es: str = Field(default="", max_length=engine.TEXT_MAX)
    ask_if_key: str = ""
    ask_if_at_most: int | None = None


class SeriesIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    key: str = Field(min_length=1, max_length=40)
    every_days: int = Field(default=7, ge=1, le=engine.EVERY_DAYS_MAX)
    at_enrolment: bool = True
    scoring: Literal["none", "sum"] = "sum"
    alert_below: int | None = None
    alert_drop: int | None = Field(default=None, ge=1)
    intro_en: str = Field(default="", max_length=engine.TEXT_MAX)
    intro_es: str = Field(default="", max_length=engine.TEXT_MAX)
    questions: list[SeriesQuestionIn] = Field(min_length=1, max_length=engine.QUESTIONS_MAX)


class SeriesPatch(Schema):
    is_active: bool | None = None
    every_days: int | None = Field(default=None, ge=1, le=engine.EVERY_DAYS_MAX)
    alert_below: int | None = None
    alert_drop: int | None = Field(default=None, ge=1)


class ScoreOut(Schema):
    series_id: int
    series_key: str
    series_name: str
    score: int
    max_score: int
    at: dt.datetime


def series_out(series: Series) -> dict:
    questions = series.active_questions()
    data = {field: getattr(series, field) for field in SeriesOut.model_fields if field not in ("questions", "max_score")}
    data["max_score"] = engine.max_score(series, questions)
    data["questions"] = [
        {field: getattr(q, field) for field in SeriesQuestionOut.model_fields} for q in questions
    ]
    return data


def _program(request, program_id: int, action: str) -> Program:
    require_supervisor(request.staff, action)
    return get_object_or_404(Program, pk=program_id, organization_id=request.staff.organization_id)


def _error(error: engine.SeriesError) -> ApiError:
    return ApiError(422, f"{error.field}: {error.message}", field=error.field)


@router.get("/programs/{program_id}/series", response=list[SeriesOut], summary="A program's question series")
def list_series(request, program_id: int):
    program = _program(request, program_id, "see a program's question series")
    return [series_out(s) for s in program.series.order_by("name", "id")]


@router.post("/programs/{program_id}/series", response={201: SeriesOut}, summary="Write a question series (off)")
def create_series(request, program_id: int, payload: SeriesIn):
    program = _program(request, program_id, "write question series")
    try:
        series = engine.create_custom(program, **payload.dict())
    except engine.SeriesError as error:
        raise _error(error) from None
    return Status(201, series_out(series))


@router.post(
    "/programs/{program_id}/series/barc10", response={201: SeriesOut, 200: SeriesOut}, summary="Install BARC-10 (off)"
)
def install_barc10(request, program_id: int):
    """BARC-10 as a built-in series, switched off; 200 with the one already
    installed. Read docs/recovery-capital.md (wording, licence) before turning it on."""
    program = _program(request, program_id, "install question series")
    existing = program.series.filter(key="barc10").first()
    if existing is not None:
        return Status(200, series_out(existing))
    return Status(201, series_out(engine.install_builtin(program, "barc10")))


@router.patch("/series/{series_id}", response=SeriesOut, summary="Turn a series on or off, or tune it")
def patch_series(request, series_id: int, payload: SeriesPatch):
    require_supervisor(request.staff, "change question series")
    series = get_object_or_404(
        Series.objects.select_related("program"), pk=series_id, program__organization_id=request.staff.organization_id
    )
    try:
        engine.change(series, payload.dict(exclude_unset=True))
    except engine.SeriesError as error:
        raise _error(error) from None
    return series_out(series)


@router.get("/members/{member_id}/scores", response=list[ScoreOut], summary="A member's series scores, newest first")
def member_scores(request, member_id: int, stated: Query[ReadPurpose], series: str | None = None):
    """`series`: a series' key (barc10) or id. Each call is recorded as a read of the member's data."""
    member = get_object_or_404(Member.objects.visible_to(request.staff), pk=member_id)
    record_api_read(request, member, data="questionnaire scores", where="api:GET /members/{id}/scores", stated=stated)
    scores = SeriesScore.objects.filter(member=member).select_related("series").order_by("-at", "-id")
    if series:
        scores = scores.filter(series_id=int(series)) if series.isdigit() else scores.filter(series__key=series)
    maxima: dict[int, int] = {}
    out = []
    for score in scores:
        if score.series_id not in maxima:
            maxima[score.series_id] = engine.max_score(score.series)
        out.append(
            {
                "series_id": score.series_id,
                "series_key": score.series.key,
                "series_name": score.series.name,
                "score": score.score,
                "max_score": maxima[score.series_id],
                "at": score.at,
            }
        )
    return out

