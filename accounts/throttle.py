"""One sign-in throttle for the web sign-in, `POST /api/v1/auth/token` and
`/admin/`: all three call Django's `authenticate()`, which goes through
`ThrottledModelBackend` below.

Failed sign-ins are counted three ways, in Django's cache (Redis when
REDIS_URL is set, so every process shares the counts):

- per email *and* client address: someone guessing one person's password
  from one place;
- per client address, over all emails: someone trying many accounts;
- per email from anywhere: guessing spread over many addresses. This one
  never slows a client address that signed in to that email before, so a
  stranger cannot lock a staff member out of their usual place of work.

Past its allowance, each further failure doubles the wait before the next
attempt is even checked (LOGIN_BACKOFF_SECONDS, up to
LOGIN_BACKOFF_MAX_SECONDS). It is a back-off, never a permanent lock, and a
refused attempt neither checks the password nor counts, so the waiting
person's own retries do not make it longer. Unknown emails are counted like
known ones, so the throttle tells nothing about who has an account.

The client address is REMOTE_ADDR, or with TRUSTED_PROXY_COUNT=N the address
the outermost of N trusted proxies saw (the Nth entry from the right of
X-Forwarded-For). IPv6 addresses count per /64, the block one subscriber gets.
"""

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

# How long failures and known client addresses are remembered.
FAILURE_MEMORY_SECONDS = 24 * 3600
KNOWN_CLIENT_SECONDS = 30 * 24 * 3600


class Throttled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after

    @property
    def minutes(self) -> int:
        return max(1, -(-self.retry_after // 60))


def client_ip(request: HttpRequest) -> str:
    """The address sign-in attempts are counted against (see the module docstring)."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _normal(email: str) -> str:
    return (email or "").strip().lower()


@dataclass(frozen=True)
class _Counter:
    """Failures of one kind for one key, and the time before which the next attempt is refused."""

    key: str
    allowed: int

    def wait(self, now: float) -> int:
        until = cache.get(f"{self.key}:until")
        return max(0, int(-(-(until - now) // 1))) if until else 0

    def fail(self, now: float) -> None:
        cache.add(self.key, 0, timeout=FAILURE_MEMORY_SECONDS)
        try:
            failures = cache.incr(self.key)
        except ValueError:  # expired between add and incr
            cache.set(self.key, 1, timeout=FAILURE_MEMORY_SECONDS)
            failures = 1
        if failures >= self.allowed:
            delay = min(settings.LOGIN_BACKOFF_SECONDS * 2 ** (failures - self.allowed),
                        settings.LOGIN_BACKOFF_MAX_SECONDS)  # fmt: skip
            cache.set(f"{self.key}:until", now + delay, timeout=delay + 1)

    def clear(self) -> None:
        cache.delete_many([self.key, f"{self.key}:until"])


def _counters(email: str, ip: str) -> tuple[_Counter, _Counter, _Counter]:
    email = _normal(email)
    return (
        _Counter(f"signin:pair:{_digest(email, ip)}", settings.LOGIN_FAILURES_ALLOWED),
        _Counter(f"signin:ip:{_digest(ip)}", settings.LOGIN_IP_FAILURES_ALLOWED),
        _Counter(f"signin:email:{_digest(email)}", settings.LOGIN_ACCOUNT_FAILURES_ALLOWED),
    )


def _known_key(email: str, ip: str) -> str:
    return f"signin:known:{_digest(_normal(email), ip)}"


def wait_seconds(email: str, ip: str) -> int:
    """How long this client must wait before a sign-in to this email is checked; 0 = go ahead."""
    now = time.time()
    pair, address, account = _counters(email, ip)
    waits = [pair.wait(now), address.wait(now)]
    if not cache.get(_known_key(email, ip)):
        waits.append(account.wait(now))
    return max(waits)


def record_failure(email: str, ip: str) -> None:
    now = time.time()
    for counter in _counters(email, ip):
        counter.fail(now)


def record_success(email: str, ip: str) -> None:
    """The person is who they said: forget their own failures from here and
    remember this address as theirs. The address's count over all emails stays:
    signing in to one's own account must not reset a spray across others."""
    pair, _, _ = _counters(email, ip)
    pair.clear()
    cache.set(_known_key(email, ip), True, timeout=KNOWN_CLIENT_SECONDS)


class ThrottledModelBackend(ModelBackend):
    """Django's username/password check behind the throttle. A throttled attempt
    raises PermissionDenied, which stops authenticate() without checking the
    password; the wait is left on the request for the view to show."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            # Only code on the server (management commands, the test client's
            # login) authenticates without a request: no client to throttle.
            return super().authenticate(request, username=username, password=password, **kwargs)
        email = _normal(username or "")
        ip = client_ip(request)
        wait = wait_seconds(email, ip)
        if wait:
            request.sign_in_retry_after = wait
            raise PermissionDenied("Too many failed sign-ins.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(email, ip)
        else:
            record_success(email, ip)
        return user
