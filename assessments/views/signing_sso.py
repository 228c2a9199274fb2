"""Signing acts of accounts without a local password: off to the identity provider and back (accounts.sso_reauth).

When the signer has no password here and their last re-authentication is older than ``SIGNING_REAUTH_SECONDS``,
the act is not taken yet: what they posted (the comment, the conditions; never a password) is kept in the session,
server-side, and the browser goes to the identity provider for a fresh login. Back on the assessment page, the
action's panel opens again with what they had typed, and one more click signs: the act itself is always a POST
from the page, seen by the signer, never a side effect of the provider's redirect.
"""

from django.http import QueryDict
from django.urls import reverse

from accounts import sso_reauth

SESSION_KEY = "signing_pending"  # {"assessment": pk, "name": transition, "data": [[field, value], ...]}
NOT_KEPT = frozenset({"csrfmiddlewaretoken", "password", "code"})
# The comment (5,000) and a screenful of conditions fit; a larger post comes back empty rather than in part.
MAX_KEPT_CHARS = 60_000


def send_to_provider(request, assessment, name):
    """Keep the posted form for ``assessment``'s action ``name`` and send the signer to the provider."""
    data = [[key, value] for key, values in request.POST.lists() if key not in NOT_KEPT for value in values]
    if sum(len(key) + len(value) for key, value in data) > MAX_KEPT_CHARS:
        data = []
    request.session[SESSION_KEY] = {"assessment": assessment.pk, "name": name, "data": data}
    back = reverse("assessment_detail", args=[assessment.pk]) + f"#action-{name}"
    return sso_reauth.begin(request, return_to=back)


def take_pending(request, assessment):
    """``(name, post)`` of the act kept for ``assessment`` before the provider's login (once), else None."""
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or pending.get("assessment") != assessment.pk:
        return None
    del request.session[SESSION_KEY]
    post = QueryDict(mutable=True)
    for key, value in pending.get("data") or []:
        post.appendlist(key, value)
    return pending.get("name"), post
