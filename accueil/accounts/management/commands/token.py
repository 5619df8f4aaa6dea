from django.core.management.base import BaseCommand, CommandError

from accueil.accounts.access import Actor
from accueil.accounts.actions import do_issue_token
from accueil.accounts.models import Role, User


class Command(BaseCommand):
    help = "Print a new API token for a staff user, with that user's role and office scope."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--role", choices=Role.values, help="a lower role than the user's")

    def handle(self, *args, username, name, role, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active staff user named {username!r}") from None
        if user.agency_id is None:
            raise CommandError("platform operators have no agency; tokens are for agency staff")
        actor = Actor.for_user(user)
        if role and not actor.has_role(role):
            raise CommandError(f"{username} is {user.role}; a token cannot have more power")
        _token, plain_text = do_issue_token(actor, name, role)
        self.stdout.write(plain_text)
