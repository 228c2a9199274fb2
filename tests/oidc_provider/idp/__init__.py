"""A small OpenID Connect provider for the single sign-on tests: django-oauth-toolkit with OIDC enabled.

It runs as its own process with its own SQLite database (``IDP_DATABASE``), an RS256 key made by the test
(``IDP_RSA_PRIVATE_KEY``), and the issuer ``IDP_ISSUER``; its users' Django groups are the ``groups`` claim.
"""
