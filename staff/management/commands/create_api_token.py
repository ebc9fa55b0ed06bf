"""Print a new API token for a user (for scripts and operations). The key is shown only here."""

from django.core.management.base import BaseCommand, CommandError

from staff.models import StaffMember
from staff.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it. It acts as that user, in their organisation."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Skript", help="What the token is for.")

    def handle(self, *args, username, name, **options):
        member = StaffMember.objects.select_related("organisation").filter(user__username=username).first()
        if member is None:
            raise CommandError(f"No staff member with the username {username!r}.")
        if not member.user.is_active:
            raise CommandError(f"The login {username!r} is switched off.")
        _token, key = api_token_create(organisation=member.organisation, staff=member, name=name)
        self.stdout.write(key)
