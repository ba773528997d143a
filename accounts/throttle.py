"""Slowing down password guessing, for the API token call and the web sign-in alike."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def is_locked_out(email: str) -> bool:
    return cache.get(_key(email), 0) >= settings.LOGIN_FAILURES_ALLOWED


def record_failure(email: str) -> None:
    key = _key(email)
    if cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def clear_failures(email: str) -> None:
    cache.delete(_key(email))
