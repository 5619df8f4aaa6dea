"""The demo agency's recognition: colleagues' thanks, one of them on the wall — made through
the real actions, so the demo's wall and the agent's page are not empty."""

from accueil.accounts.models import User
from accueil.core.actors import Actor
from accueil.feedback import recognition_actions as actions
from accueil.feedback.models import Kudos

THANKS = [
    # (from, to, message, offered to the wall and approved)
    (
        "agent2",
        "agent",
        "Merci Amélie d’avoir pris mes rendez-vous mardi. Tu m’as sauvé la journée !",
        True,
    ),
    ("supervisor", "agent2", "Bravo Bruno pour ton calme avec la file de lundi matin.", False),
]


def create_recognition_demo(agency) -> None:
    if Kudos.objects.filter(agency=agency).exists():
        return  # the demo was made before
    staff = {user.username: user for user in User.objects.filter(agency=agency)}
    approver = staff.get("supervisor")
    for sender, recipient, message, on_wall in THANKS:
        if sender not in staff or recipient not in staff:
            continue
        kudos = actions.do_thank_colleague(Actor.staff(staff[sender]), staff[recipient].pk, message)
        if on_wall and approver is not None and approver.pk != staff[recipient].pk:
            actions.do_offer_to_wall(Actor.staff(staff[recipient]), kudos)
            actions.do_review_kudos(Actor.staff(approver), kudos, approve=True)
