"""Run the README's backup, restore and move commands as an operator would: real databases, a process per command.

The commands come from the README itself ("Backups, restores and moving to
PostgreSQL"), so what the tests run is what the README says. Each ``sh`` block
is run line by line in an operator's working folder, where ``.venv/bin/python``
is this test run's interpreter and ``manage.py`` the project's. ``export`` lines
hold the values an operator chooses (addresses, folders): the test sets its own.
A line ending in ``# PostgreSQL`` or ``# SQLite`` runs only on that database.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
SECTION = "## Backups, restores and moving to PostgreSQL"
TIMEOUT = 300

# What a test reads back from a database to compare before and after: everything hashed or signed.
PROOF_SCRIPT = """
import json, os
from assessments.models import AuditChainHead, AuditEntry, AuditSigningKey, BiasResult, MonitoringFlag, SignOff
from reports.models import Dossier
iso = lambda t: t.isoformat() if t else None
head = AuditChainHead.objects.get()
proof = {
    # Every row as it was; a move's own dossier exports append their downloads (each download is an entry),
    # which verify_audit_log --checkpoint proves appended to the same chain.
    "chain": [
        [e.seq, e.entry_hash] for e in AuditEntry.objects.exclude(action="dossier_downloaded").order_by("seq")
    ],
    "head_key": head.key_id,
    "keys": [[k.key_id, k.public_key, iso(k.valid_from), iso(k.valid_until)] for k in AuditSigningKey.objects.all()],
    "sign_offs": sorted(
        [s.assessment_id, s.review_round, s.stage, s.decision, s.reviewer_id, s.content_hash, iso(s.created_at)]
        for s in SignOff.objects.all()
    ),
    "evidence": sorted(
        [r.pk, r.dimension, r.group, r.metric, repr(r.value), r.source_name, r.source_sha256]
        for r in BiasResult.objects.all()
    ),
    "monitoring_flags": sorted(
        [f.assessment_id, f.flag, iso(f.raised_at), iso(f.due_at)] for f in MonitoringFlag.objects.all()
    ),
    "dossiers": sorted(
        [d.document_id, d.sha256, d.size, iso(d.issued_at), d.checkpoint_seq, d.checkpoint_hash, d.checkpoint_signed]
        for d in Dossier.objects.exclude(sha256="")
    ),
}
with open(os.environ["PROOF_OUT"], "w") as handle:
    json.dump(proof, handle)
"""

# Whether each PDF given is, byte for byte, a dossier this database issued, with its signature intact.
VERIFY_DOSSIERS_SCRIPT = """
import json, os, pathlib
from reports.verification import dossier_verify
answers = {}
for path in sorted(pathlib.Path(os.environ["DOSSIERS"]).rglob("*.pdf")):
    answers[path.name] = dossier_verify(content=path.read_bytes()).as_data()
with open(os.environ["PROOF_OUT"], "w") as handle:
    json.dump(answers, handle)
"""


def readme_blocks(heading):
    """The ``sh`` blocks of the README from ``heading`` to the next heading of any level, as lists of lines."""
    lines = (BASE_DIR / "README.md").read_text(encoding="utf-8").splitlines()
    blocks, block, inside = [], None, False
    for line in lines[lines.index(heading) + 1 :]:
        if block is not None:
            if line == "```":
                blocks.append(block)
                block = None
            else:
                block.append(line)
        elif line == "```sh":
            block = []
        elif line.startswith("```"):
            inside = not inside
        elif line.startswith("#") and not inside:
            break
    return blocks


def runnable(lines, vendor):
    """The lines a test runs on ``vendor`` ("postgresql" or "sqlite"): no exports, no comments, the right tags."""
    kept = []
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith("export "):
            continue
        if stripped.endswith("# PostgreSQL") and vendor != "postgresql":
            continue
        if stripped.endswith("# SQLite") and vendor != "sqlite":
            continue
        kept.append(line)
    return kept


def vendor_of(url):
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


class Operator:
    """An operator's working folder, with the project's ``manage.py`` and ``.venv/bin/python`` as in a checkout."""

    def __init__(self, folder, keys):
        self.folder = Path(folder)
        (self.folder / ".venv" / "bin").mkdir(parents=True, exist_ok=True)
        python = self.folder / ".venv" / "bin" / "python"
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        python.chmod(0o755)
        manage = self.folder / "manage.py"
        if not manage.exists():
            manage.symlink_to(BASE_DIR / "manage.py")
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "MEDIA_ROOT", "DJANGO_SETTINGS_MODULE"}
        }
        self.env.update(
            DJANGO_DEBUG="true",
            # No worker: tasks wait in this folder's embedded broker (export_dossiers issues what is not issued yet).
            CELERY_TASK_ALWAYS_EAGER="false",
            CELERY_BROKER_DIR=str(self.folder / "var" / "celery"),
            PYTHONDONTWRITEBYTECODE="1",
            **keys,
        )

    def sh(self, line, **env):
        """Run one shell line here; the CompletedProcess (never raises)."""
        return subprocess.run(
            ["bash", "-euo", "pipefail", "-c", line],
            cwd=self.folder,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )

    def run_lines(self, lines, **env):
        for line in lines:
            done = self.sh(line, **env)
            assert done.returncode == 0, f"{line}\nexit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"

    def manage(self, *args, url, media, check=True):
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.folder,
            env={**self.env, "DATABASE_URL": url, "MEDIA_ROOT": str(media)},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if check:
            assert done.returncode == 0, f"manage.py {' '.join(args)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    def python(self, script, *, url, media, **env):
        """Run ``script`` in ``manage.py shell`` against ``url``; what it wrote to ``PROOF_OUT``, parsed."""
        out = self.folder / f"out-{secrets.token_hex(4)}.json"
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
            cwd=self.folder,
            env={**self.env, "DATABASE_URL": url, "MEDIA_ROOT": str(media), "PROOF_OUT": str(out), **env},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return json.loads(out.read_text())

    def proof(self, *, url, media):
        return self.python(PROOF_SCRIPT, url=url, media=media)


def signing_keys(folder):
    """An audit signing key and a dossier signing pair made for this test, as files outside any database."""
    from assessments import signing
    from reports.signing import make_demo_pair

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    audit_key = folder / "audit-signing-key.pem"
    audit_key.write_text(signing.new_private_key_pem())
    key, cert = make_demo_pair(folder)
    return {"AUDIT_SIGNING_KEY": str(audit_key), "DOSSIER_SIGNING_KEY": str(key), "DOSSIER_SIGNING_CERT": str(cert)}
