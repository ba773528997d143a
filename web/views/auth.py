"""Signing in and out. The sign-in checks credentials through
accounts.staffing.check_credentials, so the web form, the API's token call and
/admin/ share one throttle (accounts/throttle.py)."""

import logging

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.staffing import check_credentials
from accounts.throttle import Throttled
from web.access import staff_of
from web.forms import SignInForm

log = logging.getLogger(__name__)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and staff_of(request) is not None:
        return redirect(_next_url(request))
    form = SignInForm(request.POST or None)
    error = ""
    status = 200
    retry_after = 0
    if request.method == "POST" and form.is_valid():
        try:
            staff = check_credentials(request, form.cleaned_data["email"], form.cleaned_data["password"])
        except Throttled as throttled:
            staff = None
            status = 429
            retry_after = throttled.retry_after
            minutes = f"{throttled.minutes} minute{'s' if throttled.minutes != 1 else ''}"
            error = f"Too many failed sign-ins from here. Try again in {minutes}, or ask your operator."
        else:
            if staff is None:
                error = "That email and password do not match a staff account."
        if staff is not None:
            # login() rotates the session key: a session fixed before sign-in is useless after it.
            login(request, staff.user)  # the backend authenticate() recorded on the user
            return redirect(_next_url(request))
    elif request.method == "POST":
        status = 400
        error = "Enter your email and password."
    response = render(request, "web/sign_in.html", {"form": form, "error": error, "next": _next_url(request)},
                      status=status)  # fmt: skip
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGIN_URL)
