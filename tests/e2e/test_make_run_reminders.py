"""After a start-up like ``make run`` (migrate, seed_demo, then web, worker and beat under honcho on the
embedded broker), the overdue demo review's reminder reaches the Clinical reviewer's inbox and the console
mail, and the navigation counts it. One Ctrl-C (SIGINT to honcho) then stops every process."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, log_in

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo-e2e-password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


@pytest.fixture
def make_run(tmp_path):
    """The embedded default as make run starts it, in a folder of its own; yields (base url, output file)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_DIR=str(tmp_path / "celery"),
        HOST=f"127.0.0.1:{port}",
        DJANGO_DEBUG="true",
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
    )
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--password", PASSWORD)
    output = tmp_path / "honcho.log"
    with output.open("w") as log:
        honcho = subprocess.Popen(
            [str(Path(sys.executable).parent / "honcho"), "start"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answers(f"{base}/accounts/login/"), 60, "the web server")
        yield base, output
    finally:
        honcho.send_signal(signal.SIGINT)  # one Ctrl-C
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            raise
    pids = [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", output.read_text())]
    assert len(pids) == 3
    wait_for(lambda: not any(alive(pid) for pid in pids), 10, "web, worker and beat to stop")


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a local test server)
            return response.status == 200
    except OSError:
        return False


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")


def test_the_overdue_demo_review_reminds_its_reviewer_within_a_minute(make_run, new_context):
    base, output = make_run
    page = new_context(base_url=base, viewport=DESKTOP).new_page()
    page.set_default_timeout(10_000)
    log_in(page, "claire", PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    inbox = nav.get_by_role("link", name=re.compile(r"^Inbox"))
    reminder = page.get_by_role("heading", name=re.compile(r"Overdue: Clinical review of Session-notes drafting"))

    def reminded():
        page.goto("/committee/inbox/")
        return reminder.count() == 1

    wait_for(reminded, 60, "the overdue reminder in claire's inbox")
    unread = page.locator(".main-nav .count").inner_text()
    count = int(re.match(r"\d+", unread).group())
    assert count >= 1
    expect(inbox).to_contain_text(f"{count} needing you")
    reminder_item = page.locator("li.notification").filter(has=reminder)
    expect(reminder_item.get_by_role("link", name="Session-notes drafting for therapists v1")).to_be_visible()
    wait_for(lambda: "Subject: Overdue: Clinical review" in output.read_text(), 30, "the reminder on the console mail")
    assert "To: claire@example.org" in output.read_text()
