"""Start the test identity provider (tests/oidc_provider/idp) as its own process, and change its users.

The provider listens on 127.0.0.1 (the site under test on ``localhost``), so the two never share cookies.
Its RSA signing key is made here, for this run only.
"""

import os
import socket
import subprocess  # nosec B404: starts the test provider, a fixed command line
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

MANAGE = Path(__file__).resolve().parent / "manage.py"
CLIENT_ID = "responsible-ai-assessments"
CLIENT_SECRET = "test-client-secret-for-this-run-only"  # nosec B105: the test provider's throwaway client
PASSWORD = "provider-password-1"  # nosec B105


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rsa_private_key_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@dataclass
class IdentityProvider:
    issuer: str
    environment: dict
    process: subprocess.Popen

    def manage(self, *args):
        """Run one of the provider's management commands against its database."""
        subprocess.run(  # nosec B603: our own manage.py, arguments from the test
            [sys.executable, str(MANAGE), *args], env=self.environment, check=True, capture_output=True, timeout=60
        )

    def user(self, username, *, groups=(), email="", first_name="", last_name=""):
        """Create or update a provider user, with exactly these groups in their ``groups`` claim."""
        self.manage(
            "idp_user",
            username,
            "--password",
            PASSWORD,
            "--email",
            email,
            "--first-name",
            first_name,
            "--last-name",
            last_name,
            "--groups",
            ",".join(groups),
        )


def start(folder, redirect_uri):
    """Migrate a fresh provider database in ``folder``, register the client, start the server; wait until it
    serves its discovery document."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}/o"
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "OIDC_"))},
        "DJANGO_SETTINGS_MODULE": "idp.settings",
        "IDP_DATABASE": str(Path(folder) / "idp.sqlite3"),
        "IDP_RSA_PRIVATE_KEY": rsa_private_key_pem(),
        "IDP_ISSUER": issuer,
    }
    run = [sys.executable, str(MANAGE)]
    subprocess.run([*run, "migrate", "--noinput"], env=environment, check=True, capture_output=True, timeout=120)  # nosec B603
    subprocess.run(  # nosec B603
        [*run, "idp_client", CLIENT_ID, CLIENT_SECRET, redirect_uri],
        env=environment,
        check=True,
        capture_output=True,
        timeout=60,
    )
    log = open(Path(folder) / "idp.log", "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(  # nosec B603
        [*run, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    provider = IdentityProvider(issuer=issuer, environment=environment, process=process)
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).status_code == 200:
                return provider
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(provider)
            raise RuntimeError(f"The test identity provider did not start; see {Path(folder) / 'idp.log'}")
        time.sleep(0.2)


def stop(provider):
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()
        provider.process.wait()
