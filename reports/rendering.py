"""Rendering dossiers: the snapshot taken at the decision, the tagged PDF/A-3a made from it, and draft renders.

- ``dossier_snapshot`` renders the document's HTML and its ``assessment.json``
  from the record as of the deciding audit entry. It runs in the deciding
  transaction, so what the dossier says is fixed there: a signer renamed, a
  template edited or evidence added later does not change it.
- ``dossier_render`` makes the PDF: from the dossier's snapshot when it has one
  (every dossier decided since snapshots exist), else from the record as of its
  decision (older rows), or a draft of the record as it is now.
- ``html_to_pdf`` is WeasyPrint, fetching nothing but the project's static files.
"""

import hashlib
from functools import cache

import weasyprint
from django.conf import settings
from django.core.cache import cache as django_cache
from django.template.loader import get_template

from .dossier import ATTACHMENT_NAME, dossier_record, record_html, stylesheet
from .dossier_data import data_bytes, record_data
from .fetcher import BASE_URL, StaticFilesOnly

# Tagged (a structure tree, headings, table headers, the language) so that readers and screen readers follow it.
PDF_VARIANT = "pdf/a-3a"
ATTACHMENT_DESCRIPTION = "The assessment as data: answers, risk, sign-offs, conditions, bias evidence and audit trail."
# A draft's render is kept this long for the same content; a change of content makes a new key at once.
DRAFT_CACHE_SECONDS = 24 * 3600
# What a draft's cache key leaves out: when it was rendered, and the audit chain's head and downloads, which move
# with every download and every other assessment's change without changing what the draft says.
_DRAFT_VOLATILE = ("issued_at", "as_of", "audit_checkpoint")


class DraftThrottled(Exception):
    """The user rendered too many new drafts in the last minute (``DOSSIER_DRAFT_RENDER_RATE``)."""

    def __init__(self, limit):
        super().__init__(limit)
        self.message = (
            f"Draft dossiers are rendered at most {limit} times a minute per person; "
            "try again in a minute (an unchanged draft downloads again at once)."
        )


def draft_cache_key(assessment):
    """``(cache key, document id)`` of the draft dossier of ``assessment`` as its content stands now."""
    record = dossier_record(assessment)
    data = {k: v for k, v in record_data(record).items() if k not in _DRAFT_VOLATILE}
    data["audit_trail"] = [e for e in data["audit_trail"] if e["action"] != "dossier_downloaded"]
    digest = hashlib.sha256(data_bytes(data) + template_version().encode("ascii")).hexdigest()
    return f"dossier-draft:{assessment.pk}:{digest}", record.document_id


def draft_render_allowed(user):
    """Count one new draft render for ``user`` (a fixed one-minute window); DraftThrottled past the limit."""
    limit = settings.DOSSIER_DRAFT_RENDER_RATE
    if not limit:
        return
    key = f"dossier-draft-renders:{getattr(user, 'pk', None) or 'system'}"
    django_cache.add(key, 0, timeout=60)
    try:
        count = django_cache.incr(key)
    except ValueError:  # expired between add and incr
        django_cache.set(key, 1, timeout=60)
        count = 1
    if count > limit:
        raise DraftThrottled(limit)


@cache
def template_version():
    """The dossier template's version: SHA-256 (16 hex digits) of its HTML template and stylesheet as deployed."""
    template = get_template("reports/dossier.html")
    with open(template.origin.name, "rb") as handle:
        source = handle.read()
    return hashlib.sha256(source + stylesheet().encode("utf-8")).hexdigest()[:16]


def dossier_snapshot(assessment, *, dossier, now):
    """``(html, assessment.json bytes)`` of ``dossier`` as of its deciding entry, rendered now (in that transaction)."""
    record = dossier_record(assessment, dossier=dossier, now=now)
    record.template_version = template_version()
    return record_html(record), data_bytes(record_data(record))


def html_to_pdf(html, *, attachment=None, fetcher=None):
    """Tagged PDF/A-3a bytes of ``html``; ``attachment`` is ``(name, bytes, description)`` embedded as its data file.

    WeasyPrint loads only what ``StaticFilesOnly`` serves. Text the renderer cannot
    encode (a lone surrogate) is replaced, never a reason to fail.
    """
    html = html.encode("utf-8", errors="replace").decode("utf-8")
    fetcher = fetcher or StaticFilesOnly()
    attachments = []
    if attachment is not None:
        name, content, description = attachment
        attachments.append(
            weasyprint.Attachment(
                string=content,
                name=name,
                description=description,
                relationship="Data",
                url_fetcher=fetcher,
            )
        )
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(pdf_variant=PDF_VARIANT, attachments=attachments, finisher=_one_association_per_file)


def _one_association_per_file(document, pdf):
    """WeasyPrint 70 lists each PDF/A-3 associated file twice in the catalog's /AF; keep each once."""
    associated = pdf.catalog.get("AF")
    if associated:
        unique = list(dict.fromkeys(associated))
        associated.clear()
        associated.extend(unique)


def dossier_render(assessment, *, dossier=None, now=None):
    """``(pdf bytes, record)``: the unsigned PDF of ``dossier`` (from its snapshot), or a draft of the record now.

    The record is None when the PDF comes from the snapshot: nothing is read from the database then.
    """
    if dossier is not None and dossier.snapshot_html:
        attachment = (ATTACHMENT_NAME, dossier.snapshot_data.encode("ascii"), ATTACHMENT_DESCRIPTION)
        return html_to_pdf(dossier.snapshot_html, attachment=attachment), None
    record = dossier_record(assessment, dossier=dossier, now=now)
    record.template_version = template_version()
    attachment = (ATTACHMENT_NAME, data_bytes(record_data(record)), ATTACHMENT_DESCRIPTION)
    return html_to_pdf(record_html(record), attachment=attachment), record
