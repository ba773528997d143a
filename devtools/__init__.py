"""Development and test tooling: the local Twilio server, the synthetic
population behind `manage.py simulate`, the process harnesses the integration
tests and the bench start, and the one way tests sign inbound webhooks.

Production code (accounts, alerts, checkins, sms, web, config) never imports
from here; the image does not even contain this package. See README.md."""
