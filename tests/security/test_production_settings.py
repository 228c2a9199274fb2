"""The production profile: DJANGO_DEBUG off, settings from the environment (.env.production.example).

Each case starts a fresh interpreter with exactly the environment given, since
settings are read once at import; the test process itself runs the development
profile.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.production.example"


def example_environment():
    """The example file's variables, as a process manager would pass them."""
    values = {}
    for line in EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def run(args, environment):
    # Only the given variables (plus PATH): nothing leaks in from the test run, whose DJANGO_DEBUG is on.
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings", **environment}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def production_settings(environment, names):
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))"
    )
    result = run(["-c", code], environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def a_real_key():
    return secrets.token_urlsafe(50)


@pytest.fixture
def signing_files(tmp_path):
    """Real key files where the example names paths of the secret store: the audit key, the dossier pair."""
    from assessments import signing as audit_signing
    from reports.signing import make_demo_pair

    audit_key = tmp_path / "audit-signing-key.pem"
    audit_key.write_text(audit_signing.new_private_key_pem())
    public_keys = tmp_path / "audit-public-keys.pem"
    public_keys.write_text(audit_signing.public_pem(audit_signing.load_private_key(audit_key.read_text()).public_key()))
    dossier_key, dossier_cert = make_demo_pair(tmp_path / "dossier")
    return {
        "AUDIT_SIGNING_KEY": str(audit_key),
        "AUDIT_PUBLIC_KEYS": str(public_keys),
        "DOSSIER_SIGNING_KEY": str(dossier_key),
        "DOSSIER_SIGNING_CERT": str(dossier_cert),
    }


def test_check_deploy_passes_without_a_warning_on_the_example_environment(signing_files):
    environment = {**example_environment(), "SECRET_KEY": a_real_key(), **signing_files}

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environment)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_example_file_as_it_is_does_not_start_because_its_key_is_public():
    result = run(["manage.py", "check"], example_environment())

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set the environment variable SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "secret_key", [None, "", "   ", "insecure-local-development-key-change-me"], ids=["unset", "empty", "blank", "dev"]
)
def test_debug_off_refuses_to_start_without_a_secret_key_of_its_own(secret_key):
    environment = {"DJANGO_DEBUG": "false"}
    if secret_key is not None:
        environment["SECRET_KEY"] = secret_key

    result = run(["manage.py", "check"], environment)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr.splitlines()[-1]


def test_a_fresh_checkout_runs_management_commands_in_the_development_profile():
    # Neither DJANGO_DEBUG nor SECRET_KEY: a developer's checkout (manage.py makemigrations --check, shell, ...).
    result = run(["manage.py", "shell", "-c", "from django.conf import settings; print(settings.DEBUG)"], {})

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "True"


def test_a_deployments_management_commands_run_the_production_profile():
    result = run(
        ["manage.py", "shell", "-c", "from django.conf import settings; print(settings.DEBUG)"],
        {"SECRET_KEY": a_real_key()},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "False"


@pytest.mark.parametrize(
    "start",
    ["import config.wsgi", "from config.celery import app; app.conf.broker_url"],
    ids=["web server", "celery worker and beat"],
)
def test_the_served_entry_points_refuse_to_start_with_nothing_set(start):
    result = run(["-c", start], {})

    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr


def test_debug_on_starts_with_the_development_key():
    result = run(["manage.py", "check"], {"DJANGO_DEBUG": "true"})

    assert result.returncode == 0, result.stderr


def test_production_defaults_are_https_only_with_short_sessions():
    values = production_settings(
        {"DJANGO_DEBUG": "false", "SECRET_KEY": a_real_key()},
        [
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SECURE_HSTS_PRELOAD",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SESSION_COOKIE_AGE",
            "SECURE_PROXY_SSL_HEADER",
            "NUM_PROXIES",
        ],
    )

    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_AGE": 8 * 60 * 60,
        "SECURE_PROXY_SSL_HEADER": None,  # only the deployment knows its proxy's header
        "NUM_PROXIES": 0,
    }


def test_every_production_setting_comes_from_the_environment():
    environment = {
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": a_real_key(),
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "600",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "false",
        "SECURE_HSTS_PRELOAD": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SESSION_COOKIE_AGE": "3600",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        "NUM_PROXIES": "2",
    }

    values = production_settings(
        environment, [name for name in environment if name not in ("DJANGO_DEBUG", "SECRET_KEY")]
    )

    assert values == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SESSION_COOKIE_AGE": 3600,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "NUM_PROXIES": 2,
    }


def test_a_malformed_proxy_header_setting_is_refused_by_name():
    result = run(
        ["manage.py", "check"],
        {"DJANGO_DEBUG": "false", "SECRET_KEY": a_real_key(), "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO"},
    )

    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER must be a header and a value" in result.stderr


def test_the_readme_lists_every_variable_of_the_example():
    readme = (ROOT / "README.md").read_text()
    deployment = readme.split("## Deployment", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([A-Z0-9_]+)`", deployment, flags=re.MULTILINE))

    assert set(example_environment()) <= listed
