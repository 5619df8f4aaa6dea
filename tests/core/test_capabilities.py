"""A citizen's secret: not derivable from the id, checked in constant time, survives rotation."""

import uuid

from accueil.core import capabilities


def test_the_secret_is_not_the_id_and_differs_by_kind_and_object():
    one, two = uuid.uuid4(), uuid.uuid4()
    secret = capabilities.secret_for("visit", one)
    assert len(secret) == capabilities.LENGTH and str(one) not in secret
    assert secret != capabilities.secret_for("visit", two)
    assert secret != capabilities.secret_for("appointment", one)  # one kind's key opens no other
    assert capabilities.holds("visit", one, secret)
    assert not capabilities.holds("visit", two, secret)
    assert not capabilities.holds("appointment", one, secret)


def test_anything_else_is_refused_without_error():
    one = uuid.uuid4()
    for offered in (None, "", str(one), "x" * 22, "x" * 500, 42):
        assert not capabilities.holds("visit", one, offered)


def test_links_keep_working_while_the_key_is_rotated(settings):
    one = uuid.uuid4()
    old = capabilities.secret_for("visit", one)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "y" * 50
    assert capabilities.secret_for("visit", one) != old
    assert capabilities.holds("visit", one, old)
    settings.SECRET_KEY_FALLBACKS = []
    assert not capabilities.holds("visit", one, old)
