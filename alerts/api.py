import datetime as dt
import json
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from accounts.auth import require_supervisor
from alerts import review
from alerts.acknowledgement import ResolveError, acknowledge, add_note, checked_note, resolve
from alerts.models import Alert, AlertEvent
from config import limits
from config.api_errors import ApiError
from config.pagination import Pagination

router = Router(tags=["alerts"])

SeverityName = Literal["info", "warning", "urgent", "crisis"]
StatusName = Literal["open", "acknowledged", "resolved"]


class AlertOut(Schema):
    id: int
    member_id: int
    member_name: str
    supporter_id: int
    topic: str
    severity: str
    status: str
    reasons: list[str]
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    escalation_level: int
    outcome: str

    @staticmethod
    def resolve_member_name(alert: Alert) -> str:
        return alert.member.short_name


class EventOut(Schema):
    type: str
    at: dt.datetime
    actor: str
    channel: str
    detail: str

    @staticmethod
    def resolve_actor(event: AlertEvent) -> str:
        return event.actor_label


class NoteIn(Schema):
    note: str = Field(max_length=limits.NOTE_MAX)


class AlertFilters(Schema):
    status: StatusName | None = None
    severity: SeverityName | None = None
    member_id: int | None = None


@router.get("/alerts", response=list[AlertOut], summary="Alerts (a supporter sees their members')")
@paginate(Pagination)
def list_alerts(request, filters: Query[AlertFilters]):
    alerts = Alert.objects.visible_to(request.staff).select_related("member")
    for field, value in filters.dict(exclude_none=True).items():
        alerts = alerts.filter(**{field: value})
    return alerts.order_by("-created_at", "-id")


def _alert(request, alert_id: int) -> Alert:
    return get_object_or_404(Alert.objects.visible_to(request.staff).select_related("member"), pk=alert_id)


@router.get("/alerts/{alert_id}", response=AlertOut)
def get_alert(request, alert_id: int):
    return _alert(request, alert_id)


def _optional_note(request) -> str:
    """The `note` of a JSON or form body, if there is one: acknowledging needs no body at all."""
    if request.content_type != "application/json":
        body = {"note": request.POST.get("note")}
    else:
        body = _json_object(request)
    note = body.get("note") if isinstance(body, dict) else None
    if note is not None and not isinstance(note, str):
        raise ApiError(422, "note: must be text.", field="note")
    try:
        return checked_note(note, required=False)
    except ResolveError as error:
        raise ApiError(422, f"note: {error}", field="note") from None


def _json_object(request):
    try:
        return json.loads(request.body or b"{}")
    except ValueError:
        raise ApiError(422, "The body must be JSON, for example {\"note\": \"calling now\"}, or empty.") from None


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response=AlertOut,
    summary="Acknowledge: stops escalation",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "properties": {"note": {"type": "string", "maxLength": limits.NOTE_MAX}}}
                }
            },
        }
    },
)
def acknowledge_alert(request, alert_id: int):
    """Takes an optional `{"note"}`. Acknowledging an alert already
    acknowledged changes nothing and answers 200."""
    alert = _alert(request, alert_id)
    note = _optional_note(request)
    if alert.status == Alert.Status.RESOLVED:
        raise ApiError(409, "This alert is already resolved.")
    # The note was checked above and is stored with the acknowledgement, so a
    # refused note leaves the alert as it was.
    acknowledge(alert, by=request.staff, channel=AlertEvent.Channel.API, note=note)
    return alert


@router.post("/alerts/{alert_id}/resolve", response=AlertOut, summary="Resolve with an outcome note")
def resolve_alert(request, alert_id: int, payload: NoteIn):
    alert = _alert(request, alert_id)
    try:
        resolve(alert, by=request.staff, channel=AlertEvent.Channel.API, outcome=payload.note)
    except ResolveError as error:
        status = 409 if alert.status == Alert.Status.RESOLVED else 422
        raise ApiError(status, str(error), field="note" if status == 422 else None) from None
    return alert


@router.post("/alerts/{alert_id}/notes", response={201: EventOut}, summary="Add a note to the alert's log")
def note_alert(request, alert_id: int, payload: NoteIn):
    alert = _alert(request, alert_id)
    try:
        add_note(alert, by=request.staff, channel=AlertEvent.Channel.API, note=payload.note)
    except ResolveError as error:
        raise ApiError(422, str(error), field="note") from None
    return Status(201, alert.events.order_by("-id").first())


@router.get("/alerts/{alert_id}/events", response=list[EventOut], summary="The alert's escalation log, oldest first")
@paginate(Pagination)
def alert_events(request, alert_id: int):
    return _alert(request, alert_id).events.select_related("actor").order_by("at", "id")


# --- Supervisors' review ------------------------------------------------------------


class LogQuery(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    supporter_id: int | None = None
    severity: SeverityName | None = None
    outcome: StatusName | None = None
    escalated: bool | None = None


class LogEntryOut(AlertOut):
    supporter_name: str
    seconds_to_acknowledge: float | None

    @staticmethod
    def resolve_supporter_name(alert: Alert) -> str:
        return alert.supporter.name

    @staticmethod
    def resolve_seconds_to_acknowledge(alert: Alert) -> float | None:
        return alert.time_to_acknowledge


class Figures(Schema):
    alerts: int
    acknowledged: int
    median_seconds: float | None
    p90_seconds: float | None
    escalated_share: float | None = Field(description="Every escalation, crises sent on at once included.")
    crisis_escalated: int = Field(description="Crises: sent to supervisors at once, by design.")
    no_ack_escalated: int = Field(description="Escalated because nobody acknowledged in time.")
    no_ack_share: float | None = Field(
        description="no_ack_escalated among the alerts that waited for an acknowledgement (all but those crises)."
    )


class SupporterFigures(Figures):
    supporter_id: int
    name: str
    caseload: int


class ResponseTimesOut(Schema):
    overall: Figures
    per_supporter: list[SupporterFigures]


@router.get("/review/log", response=list[LogEntryOut], summary="Escalation log across the organization")
@paginate(Pagination)
def review_log(request, filters: Query[LogQuery]):
    require_supervisor(request.staff, "review the organization's log")
    return review.alert_log(request.staff, review.LogFilter(**filters.dict()))


@router.get("/review/response-times", response=ResponseTimesOut, summary="Time to acknowledge, per supporter")
def review_response_times(request, filters: Query[LogQuery]):
    require_supervisor(request.staff, "review response times")
    return review.response_times(request.staff, review.LogFilter(**filters.dict()))
