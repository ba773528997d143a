"""The project's settings plus one route: a trivial view, the framework floor
the inbound webhook is measured beside (same server, same middleware)."""

from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"

# The drills compress time (acknowledgement timeouts of a few seconds) and
# check every reminder: no floor between reminders here.
REMINDER_MIN_SECONDS = 0
