"""Who may open a web page. Every page asks here first, and every object a
page shows comes from Member.objects.visible_to / Alert.objects.visible_to, so
the web app scopes exactly like the API: out of scope is a 404."""

import functools
import zoneinfo
from collections.abc import Callable
from urllib.parse import unquote

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.models import Staff
from checkins.enrollment import known_timezones

TZ_COOKIE = "tz"


def staff_of(request: HttpRequest) -> Staff | None:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return None
    return Staff.objects.select_related("organization", "user").filter(user=user).first()


def _activate_browser_timezone(request: HttpRequest) -> None:
    """Times are shown in the staff member's own time zone, which app.js
    stores in a cookie; anything but a known zone name falls back to UTC."""
    name = unquote(request.COOKIES.get(TZ_COOKIE, ""))[:64]
    if name in known_timezones():
        timezone.activate(zoneinfo.ZoneInfo(name))
    else:
        timezone.deactivate()


def staff_required(view: Callable) -> Callable:
    """Signed-in staff only. Pages carry health information: never cached."""

    @functools.wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        staff = staff_of(request)
        if staff is None:
            if request.user.is_authenticated:
                # An operator's Django account without a staff record.
                raise PermissionDenied("This account is not a staff member of any organization.")
            return redirect_to_login(request.get_full_path())
        request.staff = staff
        _activate_browser_timezone(request)
        return view(request, *args, **kwargs)

    return wrapper


def supervisor_required(view: Callable) -> Callable:
    """Supervisors only; a supporter gets 403, as from the API."""

    @functools.wraps(view)
    def check(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.staff.is_supervisor:
            raise PermissionDenied("Only supervisors can open this page.")
        return view(request, *args, **kwargs)

    return staff_required(check)
