"""What accounts tells the apps above it, without importing them."""

from django.dispatch import Signal

# A staff member's availability changed now (deactivated, or an out-of-office
# period set, moved or cancelled), inside the transaction that changed it.
# Sent with staff. The alerts app re-routes their open alerts once it commits.
availability_changed = Signal()
