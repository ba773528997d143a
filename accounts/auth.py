"""Who is asking the API, and whether their role lets them: the bearer token
that signs a request in, and the supervisors-only check. Which members and
alerts a staff member may see is the models' to say
(`Member.objects.visible_to`, `Alert.objects.visible_to`)."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from accounts.models import ApiToken, Staff
from config.api_errors import ApiError


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Staff | None:
        found = ApiToken.find(token)
        if found is None:
            return None
        request.api_token = found
        request.staff = found.staff
        return found.staff


def require_supervisor(staff: Staff, action: str = "do this") -> None:
    """403 for a supporter: `action` finishes "Only supervisors can ..."."""
    if not staff.is_supervisor:
        raise ApiError(403, f"Only supervisors can {action}.")
