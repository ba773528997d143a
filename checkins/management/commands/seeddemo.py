import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import ApiToken, Organization
from accounts.staffing import add_staff
from checkins.enrollment import enroll_member
from checkins.programs import get_or_create_organization

DEMO_ORG = "Riverside Peer Support (demo)"
DEMO_PASSWORD = "demo-pass-2026"
STAFF = [
    ("vera@demo.example.org", "Vera Lopez", "+15555550100", "supervisor"),
    ("sam@demo.example.org", "Sam Rivera", "+15555550101", "supporter"),
    ("kim@demo.example.org", "Kim Osei", "+15555550102", "supporter"),
]
MEMBERS = [
    ("Dana Whitfield", "+15555550201", "America/New_York", "en", 1),
    ("Luis Herrera", "+15555550202", "America/Chicago", "es", 1),
    ("Priya Natarajan", "+15555550203", "America/Los_Angeles", "en", 1),
    ("Marcus Bell", "+15555550204", "America/New_York", "en", 2),
    ("Rosa Jimenez", "+15555550205", "America/Denver", "es", 2),
]


class Command(BaseCommand):
    help = "Create the demo organization on first start; later starts only print how to sign in."

    def handle(self, *args, **options):
        if not Organization.objects.filter(name=DEMO_ORG).exists():
            self._seed()
        supervisor = Organization.objects.get(name=DEMO_ORG).supervisors().first()
        base = settings.PUBLIC_BASE_URL
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"Demo organization: {DEMO_ORG}",
                    f"  Sign in at {base}/login/ as {STAFF[0][0]} (supervisor) or {STAFF[1][0]} (supporter),",
                    f"  password {DEMO_PASSWORD}",
                    f"  SMS sandbox: {base}/sandbox/    API docs: {base}/api/v1/docs",
                    f"  Demo API token (supervisor): {ApiToken.issue(supervisor)}",
                    "",
                ]
            )
        )

    @transaction.atomic
    def _seed(self):
        organization, _ = get_or_create_organization(DEMO_ORG)
        program = organization.programs.get()
        # A short acknowledgement timeout, so that escalation can be watched live.
        program.ack_timeout_seconds = 60
        program.save(update_fields=["ack_timeout_seconds"])
        staff = [
            add_staff(organization, email=email, name=name, phone=phone, role=role, password=DEMO_PASSWORD)
            for email, name, phone, role in STAFF
        ]
        for name, phone, tz, language, supporter_index in MEMBERS:
            enroll_member(
                organization,
                name=name,
                phone=phone,
                timezone_name=tz,
                language=language,
                program_id=program.id,
                supporter_id=staff[supporter_index].id,
                checkin_time=dt.time(10, 0),
                consent=True,
                consent_method="demo data",
            )
        # Sam and Kim back each other up while either is out of office.
        sam, kim = staff[1], staff[2]
        sam.backup, kim.backup = kim, sam
        sam.save(update_fields=["backup"])
        kim.save(update_fields=["backup"])
        self.stdout.write(f"Seeded {DEMO_ORG}: {len(STAFF)} staff, {len(MEMBERS)} members.")
