"""The assessment page and the auditor's home link the dossier; a dossier's record costs a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import State
from reports.dossier import dossier_record, record_html

from ..workflow import advance, create_draft


def test_the_assessment_page_links_its_dossier(people, login):
    draft = create_draft(people)
    approved = advance(people, create_draft(people), State.APPROVED)

    draft_page = login(people.alice).get(reverse("assessment_detail", args=[draft.pk])).content.decode()
    approved_page = login(people.auditor).get(reverse("assessment_detail", args=[approved.pk])).content.decode()

    assert reverse("dossier_pdf", args=[draft.pk]) in draft_page and "A draft copy, marked DRAFT" in draft_page
    assert reverse("dossier_pdf", args=[approved.pk]) in approved_page
    assert "The signed dossier issued at approval." in approved_page


def test_the_auditors_home_links_the_workspace_and_each_decisions_dossier(people, login):
    approved = advance(people, create_draft(people, name="Decided one"), State.APPROVED)

    home = login(people.auditor).get(reverse("home")).content.decode()

    assert reverse("reports_workspace") in home
    assert reverse("dossier_pdf", args=[approved.pk]) in home


def _record_queries(assessment):
    with CaptureQueriesContext(connection) as context:
        record = dossier_record(assessment)
        record_html(record)
    return len(context.captured_queries)


def test_a_dossiers_record_costs_the_same_queries_with_a_long_trail(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    short = _record_queries(assessment)
    assessment = services.assessment_transition(
        assessment=assessment, name="request_changes", by=people.reviewers["legal"], comment="More detail."
    )
    for index in range(15):
        assessment = services.assessment_update_answers(
            assessment=assessment, answers={"overview.purpose": f"Version {index}"}, by=people.alice
        )

    assert _record_queries(assessment) == short
