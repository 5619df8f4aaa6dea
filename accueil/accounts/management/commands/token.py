import uuid

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accueil.accounts.actions import do_issue_kiosk_token, do_issue_token
from accueil.accounts.models import Role, User
from accueil.catalog.access import offices_for
from accueil.core.actors import Actor


class Command(BaseCommand):
    help = "Print a new API token for a staff user, with that user's role and office scope."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--role", choices=Role.values, help="a lower role than the user's")
        parser.add_argument(
            "--kiosk",
            metavar="OFFICE",
            help="a kiosk or integration token for this office (id or slug): tickets only, "
            "without the anonymous per-address limit; issued by a supervisor or administrator",
        )

    def handle(self, *args, username, name, role, kiosk=None, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active staff user named {username!r}") from None
        if user.agency_id is None:
            raise CommandError("platform operators have no agency; tokens are for agency staff")
        actor = Actor.staff(user)
        if role and not actor.has_role(role):
            raise CommandError(f"{username} is {user.role}; a token cannot have more power")
        if kiosk:
            office = offices_for(actor).filter(Q(slug=kiosk) | Q(id=_uuid(kiosk))).first()
            if office is None:
                raise CommandError(f"{username} has no office {kiosk!r}")
            try:
                _token, plain_text = do_issue_kiosk_token(actor, office, name)
            except PermissionDenied:
                raise CommandError(
                    "kiosk tokens are issued by a supervisor or administrator"
                ) from None
        else:
            _token, plain_text = do_issue_token(actor, name, role)
        self.stdout.write(plain_text)


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
