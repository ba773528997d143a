"""Who may see and do what. The API and the web pages both ask here, so a
supporter sees exactly the same members and alerts in either."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.security import HttpBearer

from accounts.models import ApiToken, Staff


class ApiError(Exception):
    """An error the API answers as JSON `{"detail": ...}` with a status code."""

    def __init__(self, status: int, detail: str, field: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Staff | None:
        found = ApiToken.find(token)
        if found is None:
            return None
        request.api_token = found
        request.staff = found.staff
        return found.staff


def require_supervisor(staff: Staff, action: str = "do this") -> None:
    if not staff.is_supervisor:
        raise ApiError(403, f"Only supervisors can {action}.")


def visible_members(staff: Staff) -> QuerySet:
    """Members of the staff member's organization; a supporter sees only their own."""
    from checkins.models import Member

    members = Member.objects.filter(organization_id=staff.organization_id)
    if not staff.is_supervisor:
        members = members.filter(supporter=staff)
    return members


def visible_alerts(staff: Staff) -> QuerySet:
    from alerts.models import Alert

    alerts = Alert.objects.filter(organization_id=staff.organization_id)
    if not staff.is_supervisor:
        alerts = alerts.filter(member__supporter=staff)
    return alerts
