import pytest

from accueil.lib.env import ConfigurationError, env_bool, env_choice, env_int, env_list


def test_booleans_accept_only_known_words():
    assert env_bool("X", environ={"X": "Yes"}) is True
    assert env_bool("X", environ={"X": "off"}) is False
    assert env_bool("X", default=True, environ={}) is True
    with pytest.raises(ConfigurationError, match="X must be true or false"):
        env_bool("X", environ={"X": "ture"})


def test_integers_are_checked():
    assert env_int("N", 5, environ={}) == 5
    assert env_int("N", 5, environ={"N": " 12 "}) == 12
    with pytest.raises(ConfigurationError, match="whole number"):
        env_int("N", 5, environ={"N": "12s"})
    with pytest.raises(ConfigurationError, match="at least 1"):
        env_int("N", 5, environ={"N": "0"}, minimum=1)


def test_lists_and_choices():
    assert env_list("L", environ={"L": "a.example, b.example,"}) == ["a.example", "b.example"]
    assert env_choice("E", ("dev", "production"), "dev", environ={}) == "dev"
    with pytest.raises(ConfigurationError, match="one of dev, production"):
        env_choice("E", ("dev", "production"), "dev", environ={"E": "prod"})
