from ..oidc_provider.fixtures import identity_provider, sso_settings  # noqa: F401
