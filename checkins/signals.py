"""What checkins tells the apps above it, without importing them.

checkins sits below alerts (docs/architecture.md, pyproject's import rules):
the rules react to these signals; checkins doesn't know they exist.
"""

from django.dispatch import Signal

# A program was created (inside its transaction): its rule settings belong beside it.
# Sent with program.
program_created = Signal()

# Check-ins were closed as missed (inside the closing transaction). Sent with
# member_ids, the members whose check-in went unanswered.
checkins_missed = Signal()

# Members moved to another supporter (inside the transaction). Sent with
# member_ids. Their open alerts follow them (alerts.rerouting).
members_reassigned = Signal()

# A member finished a scored series (checkins.series.finish, inside the
# inbound text's transaction). Sent with score, the SeriesScore. The
# recovery_capital rule looks at it once committed.
series_scored = Signal()
