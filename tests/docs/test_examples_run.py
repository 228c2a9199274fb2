"""Every shell example of the README's "Use the API from a pipeline" and of docs/api.md runs, as written and in
the order the page gives, in one ``bash -euo pipefail`` against a real server with the demo data; each output the
page shows is the one the command prints (ids and dates matched by kind). A changed API breaks this test, not the
reader's pipeline.

One server for the module: ``manage.py runserver`` (what ``make run`` serves) on a fresh SQLite database migrated
and seeded with ``seed_demo --password demo``, as the pages assume.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from assessments import signing

from .examples import ROOT, output_mismatch, run_page, section, shell_examples

README = ROOT / "README.md"
API_DOC = ROOT / "docs" / "api.md"
EXAMPLE_FILES = ROOT / "docs" / "examples"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answering(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (the local test server)
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The demo as ``make run`` serves it, on a port of its own; yields its base URL."""
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"The documentation's examples need {', '.join(missing)}: run scripts/system-deps.sh")
    folder = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "CACHE_URL")}
    env.update(
        DJANGO_DEBUG="true",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        CELERY_BROKER_DIR=str(folder / "celery"),
        AUDIT_SIGNING_KEY=signing.new_private_key_pem(),
        PYTHONUNBUFFERED="1",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput"], ["seed_demo", "--password", "demo"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    port = free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not answering(f"{base}/api/v1/register/"):
            assert server.poll() is None, (folder / "server.log").read_text()
            assert time.monotonic() < deadline, "the demo server did not answer within a minute"
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def checkout(tmp_path):
    """A folder laid out like the repository's root, with the files the examples send (and room for theirs)."""
    shutil.copytree(EXAMPLE_FILES, tmp_path / "docs" / "examples")
    return tmp_path


def assert_runs_as_documented(examples, page, server, workdir):
    assert examples, f"no shell examples found in {page}"
    run = run_page(examples, server=server, workdir=workdir)
    if run.failed is not None:
        example = examples[run.failed]
        pytest.fail(
            f"{page}, the example at line {example.line} failed (exit {run.returncode}):\n{example.script}\n"
            f"--- its output:\n{run.outputs[-1]}\n--- its errors:\n{run.errors[-1]}"
        )
    assert run.returncode == 0
    checked = 0
    for example, printed in zip(examples, run.outputs, strict=True):
        if example.output is None:
            continue
        problem = output_mismatch(example.output, printed)
        assert problem is None, f"{page}, the example at line {example.line} printed other than documented: {problem}"
        checked += 1
    return checked


def test_the_readme_pipeline_examples_run(demo_server, tmp_path):
    text, offset = section(README.read_text(), "Use the API from a pipeline")

    assert_runs_as_documented(shell_examples(text, offset), "README.md", demo_server, checkout(tmp_path))


def test_the_api_guide_runs_as_written_and_prints_what_it_shows(demo_server, tmp_path):
    examples = shell_examples(API_DOC.read_text())

    checked = assert_runs_as_documented(examples, "docs/api.md", demo_server, checkout(tmp_path))

    # Most examples show their output; each of those was compared.
    assert checked >= 15


def test_the_files_the_api_guide_shows_are_the_files_it_sends():
    text = API_DOC.read_text()
    shown = text.split("<summary><code>docs/examples/answers.json</code> used here</summary>", 1)[1]
    block = shown.split("```json\n", 1)[1].split("```", 1)[0]

    assert json.loads(block) == json.loads((EXAMPLE_FILES / "answers.json").read_text())
    for name in ("answers.json", "predictions.csv"):
        assert f"docs/examples/{name}" in text
