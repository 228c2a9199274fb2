import io
from datetime import timedelta

import pypdf
import pytest
import weasyprint
from django.utils import timezone

from assessments import services
from assessments.models import State

from ..workflow import EVIDENCE, act, bias_rows, create_draft

PLAIN_PDF_CACHE = {}


def plain_pdf(text="A PDF that is not a dossier."):
    """A small real PDF (not a dossier), rendered once per text."""
    if text not in PLAIN_PDF_CACHE:
        PLAIN_PDF_CACHE[text] = weasyprint.HTML(string=f"<p>{text}</p>").write_pdf(pdf_variant="pdf/a-3b")
    return PLAIN_PDF_CACHE[text]


@pytest.fixture
def fast_render(monkeypatch):
    """Dossier rendering replaced by a small real PDF, for tests of issuing, logging and permissions.

    Returns the list of ``(assessment id, draft)`` it was asked to render, so tests can count renders.
    """
    from reports import services as report_services
    from reports.dossier import ATTACHMENT_NAME, dossier_record
    from reports.dossier_data import data_bytes, record_data
    from reports.rendering import html_to_pdf

    calls = []

    def render(assessment, *, dossier=None, now=None):
        calls.append((assessment.pk, dossier is None))
        record = dossier_record(assessment, dossier=dossier, now=now)
        label = "DRAFT" if record.draft else "ISSUED"
        attachment = (ATTACHMENT_NAME, data_bytes(record_data(record)), "The assessment as data.")
        return html_to_pdf(f"<p>{label} {record.document_id}</p>", attachment=attachment), record

    monkeypatch.setattr(report_services, "dossier_render", render)
    return calls


def approve_all(people, assessment, conditions_at=None):
    """Approve every stage; ``conditions_at`` maps a stage state to the conditions set there."""
    conditions_at = conditions_at or {}
    while assessment.state != State.APPROVED:
        assessment = act(people, assessment, "approve", conditions=conditions_at.get(assessment.state))
    return assessment


def rich_approved(people, name="Therapist matching"):
    """An approved assessment with a long answer, bias evidence (one flagged ratio), conditions and comments."""
    assessment = create_draft(
        people,
        name=name,
        **{"overview.purpose": "Suggests therapists.\nA person confirms every match; <b>bold</b> stays text."},
    )
    rows = bias_rows()
    rows.append({"dimension": "age", "group": "over 65", "n": 120, "metric": "selection_rate", "value": 0.40})
    rows.append({"dimension": "age", "group": "18 to 30", "n": 300, "metric": "selection_rate", "value": 0.62})
    services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=rows, by=people.alice)
    services.bias_mitigation_record(
        assessment=assessment,
        flag="ratio_below_four_fifths:age:selection_rate",
        text="Matching widened for clients over 65; re-measured monthly.",
        by=people.alice,
    )
    assessment = act(people, assessment, "submit")
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    return approve_all(
        people,
        assessment,
        {
            State.LEGAL_REVIEW: [
                {"text": "Publish the disclosure before launch.", "owner": "ben", "before_launch": True}
            ],
            State.SECURITY_REVIEW: [{"text": "Rotate the vendor keys quarterly.", "owner": "alice", "due_date": due}],
        },
    )


def pdf_reader(content):
    return pypdf.PdfReader(io.BytesIO(content))


def page_texts(content):
    return [page.extract_text() or "" for page in pdf_reader(content).pages]


@pytest.fixture
def login(db):
    """``login(user)``: a test client with that user's session."""
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def fresh_verify_counts():
    """Each test starts with no dossier checks counted against its client address (the rate limit's cache)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def eager_tasks():
    """The dossier task runs in-process here, with or without a broker configured."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
