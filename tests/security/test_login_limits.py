"""Log-in limits behind a proxy: per username and address (django-axes), and per address across usernames.

The app sits behind one trusted proxy (NUM_PROXIES = 1) at 10.0.0.2, which
appends the address it received each connection from to X-Forwarded-For.
"""

from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.network import address_block, client_address
from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("login")
TOKEN = "/api/v1/auth/token/"
PROXY = "10.0.0.2"
ATTACKER = "203.0.113.9"
ALICE_AT_HOME = "198.51.100.7"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.NUM_PROXIES = 1
    cache.clear()
    yield
    cache.clear()


def through_proxy(client_ip, sent_by_client=None):
    """The request metadata the app sees: the proxy's TCP address, and X-Forwarded-For with the client's appended."""
    chain = [sent_by_client, client_ip] if sent_by_client else [client_ip]
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ", ".join(chain)}


def log_in(username, password, client_ip, sent_by_client=None, client=None):
    client = client or Client()
    return client.post(LOGIN, {"username": username, "password": password}, **through_proxy(client_ip, sent_by_client))


# -- whose address ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hops, forwarded, remote, expected",
    [
        (0, "198.51.100.7", "10.0.0.2", "10.0.0.2"),  # no proxies: the header is the client's own words
        (1, "198.51.100.7", "10.0.0.2", "198.51.100.7"),
        (1, "1.2.3.4, 198.51.100.7", "10.0.0.2", "198.51.100.7"),  # what the client wrote is ignored
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.9", "10.0.0.2", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.2", "10.0.0.2"),  # shorter than the proxies: it did not come through them
        (1, "", "10.0.0.2", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2", "10.0.0.2"),
        (1, "2001:DB8:0:0::1", "10.0.0.2", "2001:db8::1"),
        (0, "", "", None),
    ],
)
def test_the_client_address_is_the_one_the_trusted_proxies_saw(settings, hops, forwarded, remote, expected):
    settings.NUM_PROXIES = hops
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected


def test_an_ipv6_client_is_its_64_network():
    assert address_block("2001:db8:1:2:aaaa::1") == address_block("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert address_block("2001:db8:1:3::1") != address_block("2001:db8:1:2::1")
    assert address_block("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_block("192.0.2.1") == "192.0.2.1"


# -- per username and address (django-axes) --------------------------------------------------------


def test_an_attacker_cannot_lock_a_user_out_from_another_address(people):
    answers = [log_in("alice", "guess", ATTACKER).status_code for _ in range(5)]

    assert answers == [200, 200, 200, 200, 429]  # the fifth failure locks alice, from the attacker's address
    assert log_in("alice", PASSWORD, ATTACKER).status_code == 429
    assert log_in("alice", PASSWORD, ALICE_AT_HOME).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_naming_another_address_in_the_header_does_not_escape_or_shift_the_lockout(people):
    for _ in range(5):
        log_in("alice", "guess", ATTACKER, sent_by_client=ALICE_AT_HOME)

    assert log_in("alice", PASSWORD, ATTACKER, sent_by_client="192.0.2.55").status_code == 429
    assert log_in("alice", PASSWORD, ALICE_AT_HOME).status_code == 302


def test_without_a_trusted_proxy_the_header_is_ignored(people, settings):
    settings.NUM_PROXIES = 0
    client = Client()
    for number in range(5):
        client.post(LOGIN, {"username": "alice", "password": "guess"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.99")

    assert response.status_code == 429


def test_the_api_token_lockout_is_per_address_too(people):
    client = APIClient()
    for _ in range(5):
        client.post(TOKEN, {"username": "alice", "password": "guess"}, format="json", **through_proxy(ATTACKER))

    attacker = client.post(TOKEN, {"username": "alice", "password": PASSWORD}, format="json", **through_proxy(ATTACKER))
    alice = client.post(
        TOKEN, {"username": "alice", "password": PASSWORD}, format="json", **through_proxy(ALICE_AT_HOME)
    )

    assert attacker.status_code == 429
    assert alice.status_code == 200


# -- per address across usernames ---------------------------------------------------------------------


def spray(count, client_ip):
    return [log_in(f"user{number}", "guess", client_ip) for number in range(count)]


def test_one_address_cannot_spray_usernames(people, settings):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit == 20  # the documented default
    UserFactory(username="zed")

    answers = spray(limit, ATTACKER)
    refused = log_in("zed", PASSWORD, ATTACKER)  # even the right password: the address is paused

    assert [a.status_code for a in answers] == [200] * limit
    assert refused.status_code == 429
    assert "Too many failed log-ins from your network" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= settings.LOGIN_ADDRESS_WINDOW
    assert log_in("zed", PASSWORD, ALICE_AT_HOME).status_code == 302  # elsewhere, unaffected


def test_the_limit_counts_exactly_the_failures(people, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    spray(2, ATTACKER)
    assert log_in("alice", PASSWORD, ATTACKER).status_code == 302  # successes do not count
    assert log_in("nobody-here", "guess", ATTACKER).status_code == 200  # the 3rd failure is still answered

    assert log_in("alice", PASSWORD, ATTACKER).status_code == 429


def test_the_header_cannot_spread_a_spray_over_many_addresses(people, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for number in range(3):
        log_in(f"user{number}", "guess", ATTACKER, sent_by_client=f"192.0.2.{number}")

    assert log_in("alice", PASSWORD, ATTACKER, sent_by_client="192.0.2.200").status_code == 429


def test_an_ipv6_client_cannot_escape_by_rotating_its_interface_id(people, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for number in range(3):
        log_in(f"user{number}", "guess", f"2001:db8:1:2::{number + 1:x}")

    assert log_in("alice", PASSWORD, "2001:db8:1:2::ffff").status_code == 429
    assert log_in("alice", PASSWORD, "2001:db8:1:3::1").status_code == 302


def test_the_pause_ends_with_the_window(people, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    settings.LOGIN_ADDRESS_WINDOW = 900
    start = 1_800_000_000.0  # the start of a window
    with mock.patch("accounts.lockout.time.time", return_value=start + 100):
        spray(2, ATTACKER)
        refused = log_in("alice", PASSWORD, ATTACKER)
    with mock.patch("accounts.lockout.time.time", return_value=start + 900):
        later = log_in("alice", PASSWORD, ATTACKER)

    assert refused.status_code == 429 and refused["Retry-After"] == "800"
    assert later.status_code == 302


def test_the_api_token_endpoint_shares_the_address_limit(people, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    settings.API_THROTTLE_RATES = {"api_token": None}
    spray(2, ATTACKER)
    client = APIClient()
    client.post(TOKEN, {"username": "user9", "password": "guess"}, format="json", **through_proxy(ATTACKER))

    response = client.post(TOKEN, {"username": "alice", "password": PASSWORD}, format="json", **through_proxy(ATTACKER))

    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed sign-ins from your network address; try again later."}
    assert int(response["Retry-After"]) > 0


def test_none_turns_the_address_limit_off(people, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = None
    spray(25, ATTACKER)

    assert log_in("alice", PASSWORD, ATTACKER).status_code == 302


def test_api_throttles_count_per_client_address_behind_the_proxy(people, settings):
    settings.API_THROTTLE_RATES = {"api_token": "2/min"}
    client = APIClient()
    body = {"username": "alice", "password": PASSWORD}
    for _ in range(2):
        assert client.post(TOKEN, body, format="json", **through_proxy(ATTACKER)).status_code == 200

    assert (
        client.post(TOKEN, body, format="json", **through_proxy(ATTACKER, sent_by_client="192.0.2.1")).status_code
        == 429
    )
    assert client.post(TOKEN, body, format="json", **through_proxy(ALICE_AT_HOME)).status_code == 200


def test_the_admin_logs_in_through_the_same_form_and_limits(people, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    client = Client()
    admin_login = reverse("admin:login")
    for _ in range(2):
        client.post(admin_login, {"username": "admin", "password": "guess"}, **through_proxy(ATTACKER))

    refused = client.post(admin_login, {"username": "admin", "password": PASSWORD}, **through_proxy(ATTACKER))
    staff = Client()
    logged_in = staff.post(
        f"{admin_login}?next=/admin/", {"username": "admin", "password": PASSWORD, "next": "/admin/"}
    )

    assert admin_login == "/admin/login/"
    assert refused.status_code == 429
    assert logged_in.status_code == 302 and logged_in["Location"] == "/admin/"
    assert staff.get("/admin/").status_code == 200
