import pytest

from accueil.lib.netguard import BlockedDestination, check_url


def resolves_to(*addresses):
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://[::1]/hook",
        "http://10.0.0.5/",
        "http://172.16.3.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://0x7f000001/",
        "http://2130706433/",
        "http://0.0.0.0/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
    ],
)
def test_private_loopback_link_local_and_metadata_addresses_are_refused(url):
    with pytest.raises(BlockedDestination):
        check_url(url)


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:127.0.0.1"]
)
def test_a_name_that_resolves_to_a_private_address_is_refused(address):
    with pytest.raises(BlockedDestination, match="private or reserved"):
        check_url("https://innocent.example.ca/hook", resolver=resolves_to(address))


def test_one_private_address_among_public_ones_is_enough_to_refuse():
    with pytest.raises(BlockedDestination):
        check_url("https://x.example.ca/", resolver=resolves_to("203.0.114.9", "10.0.0.1"))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://x.example.ca/",
        "ftp://x.example.ca/",
        "javascript:alert(1)",
        "https://user:pw@x.example.ca/",
        "https:///nohost",
        "https://x.example.ca:99999/",
    ],
)
def test_other_schemes_credentials_and_broken_addresses_are_refused(url):
    with pytest.raises(BlockedDestination):
        check_url(url, resolver=resolves_to("8.8.8.8"))


def test_a_public_address_is_allowed_and_pinned():
    assert check_url("https://hooks.example.ca/in", resolver=resolves_to("8.8.4.4")) == (
        "hooks.example.ca",
        443,
        "8.8.4.4",
    )


def test_an_administrator_can_open_a_private_network():
    # ... inside a network the platform's operator permits (see test_netguard_allow_lists.py)
    result = check_url(
        "http://intranet.ville.example:8080/",
        allow=["10.1.0.0/16"],
        permitted=["10.0.0.0/8"],
        resolver=resolves_to("10.1.2.3"),
    )
    assert result == ("intranet.ville.example", 8080, "10.1.2.3")
    with pytest.raises(BlockedDestination):
        check_url(
            "http://other.ville.example/",
            allow=["10.1.0.0/16"],
            permitted=["10.0.0.0/8"],
            resolver=resolves_to("10.2.0.1"),
        )
