"""A small OpenID Connect provider for the single sign-on tests: django-oauth-toolkit with OIDC enabled.

It runs as its own process with its own SQLite database (``IDP_DATABASE``), an RS256 key made by the test
(``IDP_RSA_PRIVATE_KEY``), and the issuer ``IDP_ISSUER``; its users' Django groups are the ``groups`` claim.
Its ID tokens carry ``auth_time`` (the user's last login there), and it asks for the password again on
``prompt=login`` and when the last login is older than a request's ``max_age`` (``idp.views``), as the signing
confirmation of accounts without a local password needs (accounts/sso_reauth.py).
"""
