"""The auditor's workspace at /reports/: who may use it, its filters, the CSV export, the logs."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, State
from reports.csv_export import inert
from reports.models import DossierDownload

from ..factories import TeamFactory, UserFactory
from ..web.bulk import bulk_assessments
from ..workflow import EVIDENCE, advance, create_draft


def rows_of(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def landscape(people):
    """A draft, one in review, a rejected one, an approved one, and one of another team in review."""
    growth_member = people.olga
    return {
        "draft": create_draft(people, name="Draft feature"),
        "review": advance(people, create_draft(people, name="In review"), State.LEGAL_REVIEW),
        "rejected": advance(people, create_draft(people, name="Rejected one"), State.REJECTED),
        "approved": advance(people, create_draft(people, name="Approved one"), State.APPROVED),
        "growth": _other_team_in_review(people, growth_member),
    }


def _other_team_in_review(people, member):
    from ..answers import complete_answers

    assessment = services.assessment_create(
        team=people.other_team, feature_name="Growth feature", answers=complete_answers(), by=member
    )
    services.bias_results_add(
        description=EVIDENCE,
        assessment=assessment,
        rows=[
            {"dimension": d, "group": g, "n": 9, "metric": "selection_rate", "value": 1}
            for d in ("race", "religion", "gender")
            for g in "ab"
        ],
        by=member,
    )
    return services.assessment_transition(assessment=assessment, name="submit", by=member)


@pytest.mark.parametrize("who", ["auditor", "chair", "admin"])
def test_auditors_the_chair_and_administrators_use_the_workspace(people, login, landscape, who):
    response = login(getattr(people, who)).get(reverse("reports_workspace"))

    assert response.status_code == 200
    names = {a.feature.name for a in response.context["page"].object_list}
    assert names == {"In review", "Rejected one", "Approved one", "Growth feature"}  # never the draft


@pytest.mark.parametrize("who", ["alice", "olga", "nobody", "legal"])
def test_others_are_refused_the_workspace_csv_log_and_records(people, login, landscape, who):
    user = people.reviewers["legal"] if who == "legal" else getattr(people, who)
    client = login(user)

    for url in (
        reverse("reports_workspace"),
        reverse("reports_assessments_csv"),
        reverse("reports_downloads"),
        reverse("reports_assessment", args=[landscape["review"].pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_log_in(client, landscape):
    response = client.get(reverse("reports_workspace"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "rejected"}, {"Rejected one"}),
        ({"state": "approved"}, {"Approved one"}),
        ({"team": "growth"}, {"Growth feature"}),
        ({"team": "client-experience", "state": "legal_review"}, {"In review"}),
        ({"risk_level": "1"}, {"In review", "Rejected one", "Approved one", "Growth feature"}),
        ({"risk_level": "4"}, set()),
        ({"overdue": "on"}, set()),
        ({"q": "approved"}, {"Approved one"}),
    ],
)
def test_filters_narrow_the_list_and_the_csv_alike(people, login, landscape, query, expected):
    client = login(people.auditor)

    page = client.get(reverse("reports_workspace"), query)
    exported = client.get(reverse("reports_assessments_csv"), query)

    assert {a.feature.name for a in page.context["page"].object_list} == expected
    assert {row["feature"] for row in rows_of(exported)} == expected


def test_the_decision_date_range_includes_both_ends(people, login, landscape):
    client = login(people.auditor)
    decided = landscape["approved"].decided_at.date()
    day = timedelta(days=1)

    def listed(**query):
        return {row["feature"] for row in rows_of(client.get(reverse("reports_assessments_csv"), query))}

    both = {"Approved one", "Rejected one"}
    assert listed(decided_after=decided.isoformat(), decided_before=decided.isoformat()) == both
    assert listed(decided_after=(decided + day).isoformat()) == set()
    assert listed(decided_before=(decided - day).isoformat()) == set()
    assert listed(decided_after=(decided - day).isoformat()) == both


def test_an_overdue_assessment_is_found_by_the_overdue_filter(people, login, landscape):
    Assessment.objects.filter(pk=landscape["review"].pk).update(stage_entered_at=timezone.now() - timedelta(days=60))

    response = login(people.auditor).get(reverse("reports_assessments_csv"), {"overdue": "true"})

    assert [row["feature"] for row in rows_of(response)] == ["In review"]


@pytest.mark.parametrize(
    "query",
    [
        {"state": "draft"},
        {"state": "nonsense"},
        {"decided_after": "2026-13-01"},
        {"team": "no-such-team"},
        {"decided_after": "2026-05-02", "decided_before": "2026-05-01"},
    ],
)
def test_invalid_filters_are_a_400_and_list_nothing(people, login, landscape, query):
    client = login(people.auditor)

    page = client.get(reverse("reports_workspace"), query)
    exported = client.get(reverse("reports_assessments_csv"), query)

    assert page.status_code == 400 and list(page.context["page"].object_list) == []
    assert exported.status_code == 400 and exported["Content-Type"].startswith("text/plain")


def test_the_csv_never_includes_drafts_even_for_an_administrator(people, login, landscape):
    rows = rows_of(login(people.admin).get(reverse("reports_assessments_csv")))

    assert "Draft feature" not in {row["feature"] for row in rows}
    assert all(row["state"] != "draft" for row in rows)


def test_formula_looking_cells_come_out_inert(people, login):
    team = TeamFactory(slug="formula-team", name='=HYPERLINK("http://evil.example","x")')
    member = UserFactory(username="mallory")
    team.members.add(member)
    from ..answers import complete_answers

    for name in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "=cmd|' /C calc'!A0", "Plain"):
        assessment = services.assessment_create(team=team, feature_name=name, answers=complete_answers(), by=member)
        services.bias_results_add(
            description=EVIDENCE,
            assessment=assessment,
            rows=[
                {"dimension": d, "group": g, "n": 9, "metric": "selection_rate", "value": 1}
                for d in ("race", "religion", "gender")
                for g in "ab"
            ],
            by=member,
        )
        services.assessment_transition(assessment=assessment, name="submit", by=member)

    rows = rows_of(login(people.auditor).get(reverse("reports_assessments_csv"), {"team": "formula-team"}))

    features = sorted(row["feature"] for row in rows)
    assert features == sorted(["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'=cmd|' /C calc'!A0", "Plain"])
    assert {row["team"] for row in rows} == {'\'=HYPERLINK("http://evil.example","x")'}
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=A1", "'=A1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        (-3, "-3"),
        (None, ""),
        (True, "true"),
        ("x\x00y", "xy"),
    ],
)
def test_inert_cells(value, cell):
    assert inert(value) == cell


def test_the_csv_has_a_header_and_the_issued_dossiers_hash(people, login, fast_render, landscape):
    approved = landscape["approved"]
    login(people.auditor).get(reverse("dossier_pdf", args=[approved.pk]))

    response = login(people.auditor).get(reverse("reports_assessments_csv"), {"state": "approved"})

    assert response["Content-Disposition"] == 'attachment; filename="assessments.csv"'
    [row] = rows_of(response)
    dossier = approved.dossiers.get()
    assert (row["assessment_id"], row["dossier_sha256"], row["dossier_document_id"]) == (
        str(approved.pk),
        dossier.sha256,
        dossier.document_id,
    )


def test_the_download_log_shows_who_when_and_which_bytes(people, login, fast_render, landscape):
    approved, review = landscape["approved"], landscape["review"]
    login(people.chair).get(reverse("dossier_pdf", args=[approved.pk]))
    login(people.reviewers["legal"]).get(reverse("dossier_pdf", args=[review.pk]))

    response = login(people.auditor).get(reverse("reports_downloads"))

    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert [(r.username, r.assessment_id, r.draft) for r in rows] == [
        ("legal_reviewer", review.pk, True),
        ("chair", approved.pk, False),
    ]
    html = response.content.decode()
    assert rows[1].sha256[:16] in html and "Issued dossier" in html and "Draft" in html


def test_an_assessments_record_shows_its_dossier_its_downloads_and_its_trail(people, login, fast_render, landscape):
    approved = landscape["approved"]
    client = login(people.auditor)
    client.get(reverse("dossier_pdf", args=[approved.pk]))

    response = client.get(reverse("reports_assessment", args=[approved.pk]))

    assert response.status_code == 200
    dossier = approved.dossiers.get()
    html = response.content.decode()
    assert dossier.sha256 in html and dossier.document_id in html
    assert len(response.context["entries"]) == approved.audit_entries.count()
    assert [d.username for d in response.context["downloads"]] == ["audrey"]


def test_a_drafts_record_is_404_in_the_workspace(people, login, landscape):
    assert login(people.auditor).get(reverse("reports_assessment", args=[landscape["draft"].pk])).status_code == 404
    assert login(people.admin).get(reverse("reports_assessment", args=[landscape["draft"].pk])).status_code == 404


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", [reverse("reports_workspace"), reverse("reports_downloads")])
def test_workspace_pages_cost_the_same_queries_at_10_and_100_assessments(people, login, fast_render, url):
    client = login(people.auditor)
    bulk_assessments(people, 10)
    DossierDownload.objects.bulk_create(
        DossierDownload(assessment=a, username="audrey", channel="web", sha256="0" * 64, draft=True)
        for a in Assessment.objects.all()
    )
    client.get(url)
    at_10 = _count(client, url)
    bulk_assessments(people, 90)
    at_100 = _count(client, url)

    assert at_10 == at_100
