from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken
from accounts.staffing import StaffError, add_staff
from checkins.programs import get_or_create_organization


class Command(BaseCommand):
    help = (
        "Create the organization if it does not exist (with its default program, questions and rules) and a "
        "supervisor in it. Prints the supervisor's API token as the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization name")
        parser.add_argument("--email", required=True)
        parser.add_argument("--phone", required=True, help="Any common format; stored as E.164")
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="", help="Defaults to the part of the email before @")

    def handle(self, *args, org, email, phone, password, name, **options):
        organization, created = get_or_create_organization(org.strip())
        if created:
            self.stdout.write(f"Created organization {organization.name!r} with its default program.")
        try:
            staff = add_staff(
                organization,
                email=email,
                name=name or email.split("@")[0],
                phone=phone,
                role="supervisor",
                password=password,
            )
        except StaffError as error:
            raise CommandError(f"{error.field}: {error.message}" if error.field else error.message) from None
        self.stdout.write(f"Created supervisor {staff.email} (staff id {staff.id}).")
        self.stdout.write(ApiToken.issue(staff))
