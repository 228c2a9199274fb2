"""Single sign-on helpers for the tests that drive the real test provider with an HTTP client: its login page
filled as a person would, and the messages a page shows."""

import re
from urllib.parse import parse_qs, urlparse

from ..oidc_provider.server import PASSWORD


def login_at_provider(browser, page, username):
    """Fill the provider's login page ``page`` as ``username``; follow the redirects back; the last response."""
    assert "Test identity provider" in page.text, page.url
    next_url = parse_qs(urlparse(page.url).query)["next"][0]
    return browser.post(
        page.url,
        data={
            "username": username,
            "password": PASSWORD,
            "next": next_url,
            "csrfmiddlewaretoken": browser.cookies.get("idp_csrftoken"),
        },
        timeout=30,
    )


def messages_of(response):
    return re.findall(r'class="message[^"]*"[^>]*>(.*?)</', response.text, flags=re.S)
