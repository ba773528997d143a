"""The project's settings plus one route: a trivial view, the framework floor
the inbound webhook is measured beside (same server, same middleware)."""

from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"
