"""Run the verifier as an operator would, and attack the log as someone with write access to the database would."""

import json
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from assessments import canonical, signing
from assessments.models import AuditChainHead, AuditEntry


def verify(*args):
    """``(exit status, output)`` of ``manage.py verify_audit_log ARGS``."""
    out = StringIO()
    try:
        call_command("verify_audit_log", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def problems(output):
    """The ``[kind]`` of each PROBLEM line."""
    return [line.split("]")[0].split("[")[1] for line in output.splitlines() if line.startswith("PROBLEM [")]


def checkpoint_file(tmp_path, name="checkpoint.json"):
    """Print the current checkpoint with audit_checkpoint and keep it in a file, as an operator would."""
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    path = tmp_path / name
    path.write_text(out.getvalue())
    return str(path), json.loads(out.getvalue())


def quoted(model):
    return connection.ops.quote_name(model._meta.db_table)


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def last_seq():
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()


def rechain_from(seq):
    """Recompute every hash from row ``seq`` on with the project's own code and move the head there.

    The attacker cannot sign: the head keeps its old signature.
    """
    previous = AuditEntry.objects.filter(seq__lt=seq).order_by("-seq").first()
    previous_hash = previous.entry_hash if previous else canonical.GENESIS_HASH
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        entry.prev_hash = previous_hash
        new_hash = entry.compute_hash()
        sql(
            f"UPDATE {quoted(AuditEntry)} SET prev_hash = %s, entry_hash = %s WHERE seq = %s",  # noqa: S608
            [previous_hash, new_hash, entry.seq],
        )
        previous_hash = new_hash
    end = last_seq() or 0
    AuditChainHead.objects.filter(pk=1).update(last_seq=end, last_hash=previous_hash)
    return end


def forge_head_signature(private_pem, *, seq, hash, signed_at):
    """Sign a head with ``private_pem``, as someone holding that key could."""
    signer = signing.Signer(signing.load_private_key(private_pem))
    statement = signing.checkpoint_statement(
        seq=seq, hash=hash, signed_at=canonical.timestamp(signed_at), key_id=signer.key_id
    )
    AuditChainHead.objects.filter(pk=1).update(
        last_seq=seq, last_hash=hash, signed_at=signed_at, key_id=signer.key_id, signature=signer.sign(statement)
    )
