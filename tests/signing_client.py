"""An API test client for signing acts, shared by the API and dossier tests."""

from rest_framework.test import APIClient

from assessments import transitions
from tests.factories import PASSWORD


class SigningClient(APIClient):
    """An API client whose signing acts (approve, request changes, reject) carry the test users' known password.

    Signing through the API needs the signer's password (accounts/reauth.py); the tests of that rule use
    ``client_for(user, signs=False)`` to send what they choose.
    """

    def post(self, path, data=None, format=None, *args, **kwargs):
        if (
            path.endswith("/transitions/")
            and isinstance(data, dict)
            and "password" not in data
            and getattr(transitions.get(data.get("name")), "signs", False)
        ):
            data = {**data, "password": PASSWORD}
        return super().post(path, data, format, *args, **kwargs)
