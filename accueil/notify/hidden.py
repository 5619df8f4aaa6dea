"""Message bodies nobody but the recipient may read, because they carry a link that signs in
(a password reset). Apps register their template keys in ``AppConfig.ready()``; the admin then
never shows those bodies."""

HIDDEN_BODIES: set[str] = set()


def hide_bodies_of(template_key: str) -> None:
    HIDDEN_BODIES.add(template_key)
