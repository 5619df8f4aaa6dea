"""One agent at each desk of the demo's City Hall: `python -m bench.agents` prints JSON
``{desk id: API token}``.

A desk calls only while an agent holds it open, and an agent holds one desk at a time, so the
benchmark's agent clients each need their own staff account, desk and token, made here through
the real actions.
"""

import json
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")
    import django

    django.setup()
    from accueil.accounts.actions import do_issue_token
    from accueil.accounts.models import Role, User
    from accueil.catalog.models import Office
    from accueil.core.actors import Actor
    from accueil.queues.actions import do_open_desk

    office = Office.objects.get(slug="hotel-de-ville")
    tokens = {}
    for desk in office.desks.filter(active=True).order_by("label"):
        agent, _ = User.objects.get_or_create(
            username=f"bench-desk-{desk.label}",
            defaults={"agency": office.agency, "role": Role.AGENT},
        )
        agent.offices.set([office])
        do_open_desk(desk, agent, [])
        tokens[str(desk.id)] = do_issue_token(Actor.staff(agent), "bench")[1]
    print(json.dumps(tokens))


if __name__ == "__main__":
    main()
