"""Bias evidence on the assessment page: upload with a preview, the row form, justifications, mitigations,
monitoring, and who may do each (every denial)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import AuditEntry, BiasJustification, BiasMitigation, BiasResult, State

from ..workflow import EVIDENCE, advance, bias_rows, create_draft

GOOD = (
    b"dimension,group,n,metric,value\n"
    b"race,Black,120,selection_rate,0.30\n"
    b"race,White,300,selection_rate,0.44\n"
    b"race,=cmd|' /C calc'!A0,40,selection_rate,0.44\n"
)
BAD = b"dimension,group,n,metric,value\nrace,Black,many,selection_rate,0.41\nrace,White,300,selection_rate,high\n"


def upload(client, assessment, data=GOOD, name="results.csv", description=EVIDENCE, **fields):
    body = {"file": SimpleUploadedFile(name, data), "description": description, **fields}
    return client.post(reverse("bias_upload", args=[assessment.pk]), body)


def token_of(response):
    html = response.content.decode()
    start = html.index('name="token" value="') + len('name="token" value="')
    return html[start : start + 32]


def confirm(client, assessment, token):
    return client.post(reverse("bias_upload_confirm", args=[assessment.pk]), {"token": token})


def test_the_team_sees_the_forms_and_the_template_downloads(people, login):
    assessment = create_draft(people)
    client = login(people.alice)

    page = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    template = client.get(reverse("bias_template"))

    assert "Preview upload" in page and reverse("bias_template") in page
    assert template.status_code == 200 and template["Content-Type"].startswith("text/csv")
    assert template.content.startswith(b"dimension,group,n,metric,value")


def test_an_upload_is_previewed_then_saved_once_with_its_source(people, login):
    assessment = create_draft(people)
    client = login(people.alice)

    preview = upload(client, assessment)

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Save 3 rows" in html and "Below 0.8" not in html  # flags are listed by label
    assert "lowest ÷ highest 0.68" in html
    assert not BiasResult.objects.exists()
    token = token_of(preview)
    first = confirm(client, assessment, token)
    second = confirm(client, assessment, token)  # a double click
    assert first.status_code == 302 and second.status_code == 302
    rows = BiasResult.objects.filter(assessment=assessment)
    assert rows.count() == 3
    assert {r.source_name for r in rows} == {"results.csv"} and len({r.source_sha256 for r in rows}) == 1
    assert AuditEntry.objects.filter(action="bias_evidence_added").count() == 1
    page = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "results.csv" in page and "Too small to judge" not in page.split("Flags and mitigations")[0]


def test_a_bad_file_shows_every_error_by_line_and_saves_nothing(people, login):
    assessment = create_draft(people)

    response = upload(login(people.alice), assessment, BAD)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Line 2, column <code>n</code>" in html and "Line 3, column <code>value</code>" in html
    assert 'name="token"' not in html
    assert not BiasResult.objects.exists()


def test_a_file_over_the_limit_is_413(people, login, settings):
    settings.BIAS_UPLOAD_MAX_BYTES = 100
    assessment = create_draft(people)

    response = upload(login(people.alice), assessment, GOOD + b"x" * 200)

    assert response.status_code == 413
    assert not BiasResult.objects.exists()


def test_a_confirmation_without_its_preview_is_400(people, login):
    assessment = create_draft(people)

    response = confirm(login(people.alice), assessment, "f" * 32)

    assert response.status_code == 400


def test_a_preview_of_one_user_cannot_be_confirmed_by_another(people, login):
    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    token = token_of(upload(login(people.alice), assessment))

    response = confirm(login(people.reviewers["data_ai"]), assessment, token)

    assert response.status_code == 400
    assert not BiasResult.objects.filter(batch=token).exists()


def test_the_row_form_records_one_row(people, login):
    assessment = create_draft(people)
    data = {
        "dimension": "race",
        "group": "Black",
        "n": "40",
        "metric": "selection_rate",
        "value": "0.5",
        "description": EVIDENCE,
    }

    response = login(people.alice).post(reverse("bias_row_add", args=[assessment.pk]), data)

    assert response.status_code == 302
    assert BiasResult.objects.get().group == "Black"


@pytest.mark.parametrize("value", ["inf", "nan", "1e400", "x"])
def test_the_row_form_refuses_values_that_are_not_numbers(people, login, value):
    assessment = create_draft(people)
    data = {
        "dimension": "race",
        "group": "Black",
        "n": "40",
        "metric": "selection_rate",
        "value": value,
        "description": EVIDENCE,
    }

    response = login(people.alice).post(reverse("bias_row_add", args=[assessment.pk]), data)

    assert response.status_code == 400
    assert not BiasResult.objects.exists()


def test_the_data_ai_reviewer_records_a_mitigation_and_a_justification(people, login):
    assessment = create_draft(people)
    services.bias_results_add(
        description=EVIDENCE,
        assessment=assessment,
        rows=[
            {"dimension": "race", "group": "a", "n": 100, "metric": "selection_rate", "value": 0.5},
            {"dimension": "race", "group": "b", "n": 100, "metric": "selection_rate", "value": 0.9},
        ],
        by=people.alice,
    )
    assessment = services.assessment_transition(assessment=assessment, name="submit", by=people.alice)
    assessment = advance(people, assessment, State.DATA_AI_REVIEW)
    client = login(people.reviewers["data_ai"])
    page = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "Save mitigation notes" in page and "Justify a dimension" in page

    client.post(
        reverse("bias_mitigation_add", args=[assessment.pk]),
        {"flag": "ratio_below_four_fifths:race:selection_rate", "text": "Recalibrated."},
    )
    client.post(reverse("bias_justification_add", args=[assessment.pk]), {"dimension": "religion", "text": "Not held."})

    assert BiasMitigation.objects.get().text == "Recalibrated."
    assert BiasJustification.objects.get().dimension == "religion"
    page = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "Recalibrated." in page and "Not held." in page


def test_monitoring_results_show_a_chart_per_dimension(people, login):
    assessment = advance(people, create_draft(people), State.LAUNCHED)
    services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=bias_rows(["race"]), by=people.alice)

    page = login(people.alice).get(reverse("assessment_detail", args=[assessment.pk])).content.decode()

    assert page.count('<figure class="bias-chart">') == 3  # race, religion, gender
    assert "<polyline" in page  # race: approval and monitoring measurements
    assert "Add monitoring results" in page


# -- denials -------------------------------------------------------------------------------------------


def posts(assessment):
    pk = assessment.pk
    return [
        (reverse("bias_upload", args=[pk]), {"file": SimpleUploadedFile("r.csv", GOOD), "description": EVIDENCE}),
        (
            reverse("bias_row_add", args=[pk]),
            {"dimension": "race", "group": "a", "n": "40", "metric": "selection_rate", "value": "1"},
        ),
        (reverse("bias_justification_add", args=[pk]), {"dimension": "race", "text": "x"}),
        (reverse("bias_mitigation_add", args=[pk]), {"flag": "x", "text": "x"}),
    ]


@pytest.mark.parametrize("who", ["auditor", "legal", "chair"])
def test_those_who_see_it_but_may_not_add_evidence_get_403(people, login, who):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    user = {"auditor": people.auditor, "chair": people.chair}.get(who) or people.reviewers[who]
    client = login(user)
    before = AuditEntry.objects.count()

    for path, data in posts(assessment):
        assert client.post(path, data).status_code == 403, path

    assert AuditEntry.objects.count() == before
    page = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "Preview upload" not in page


@pytest.mark.parametrize("state", [State.DRAFT, State.LEGAL_REVIEW])
def test_another_team_gets_404(people, login, state):
    assessment = advance(people, create_draft(people), state)
    client = login(people.olga)

    for path, data in posts(assessment):
        assert client.post(path, data).status_code == 404, path
    assert confirm(client, assessment, "f" * 32).status_code == 404


def test_after_approval_before_launch_it_is_409(people, login):
    assessment = advance(people, create_draft(people), State.APPROVED)

    response = upload(login(people.alice), assessment)

    assert response.status_code == 409


def test_anonymous_users_are_sent_to_sign_in(people, client):
    assessment = create_draft(people)

    for path, data in posts(assessment):
        response = client.post(path, data)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_bias_section_costs_the_same_queries_for_few_and_many_rows(people, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(count, dimension):
        return [
            {
                "dimension": dimension,
                "group": f"g{i}",
                "n": 20 + i,
                "metric": "selection_rate",
                "value": 0.2 + i / (count * 2),
            }
            for i in range(count)
        ]

    small, large = create_draft(people), create_draft(people)
    services.bias_results_add(description=EVIDENCE, assessment=small, rows=rows(2, "race"), by=people.alice)
    for dimension in ("race", "religion", "gender", "age"):
        services.bias_results_add(description=EVIDENCE, assessment=large, rows=rows(50, dimension), by=people.alice)
        services.bias_results_add(description=EVIDENCE, assessment=large, rows=rows(50, dimension), by=people.alice)
    client = login(people.alice)
    counts = []
    for assessment in (small, large):
        client.get(reverse("assessment_detail", args=[assessment.pk]))  # warm caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("assessment_detail", args=[assessment.pk])).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_an_upload_without_a_description_is_400_and_nothing_waits(people, login):
    assessment = create_draft(people)
    client = login(people.alice)

    response = upload(client, assessment, description="  ")

    assert response.status_code == 400
    assert "model version and the data set" in response.content.decode()
    assert not any(key.startswith("bias_upload:") for key in client.session.keys())  # noqa: SIM118


def test_the_preview_and_the_saved_batch_keep_the_description_and_intersections(people, login):
    assessment = create_draft(people)
    client = login(people.alice)
    lines = ["y_true,y_pred,race,gender"] + [
        "1,1,Black,Woman",
        "0,0,White,Man",
        "1,0,Black,Man",
        "0,1,White,Woman",
    ] * 10
    data = ("\n".join(lines) + "\n").encode()

    preview = upload(client, assessment, data, name="p.csv", intersections="race+gender")

    html = preview.content.decode()
    assert preview.status_code == 200 and EVIDENCE in html and "race × gender" in html
    assert confirm(client, assessment, token_of(preview)).status_code == 302
    batch = BiasResult.objects.filter(assessment=assessment).first().evidence_batch
    assert (batch.description, batch.method, batch.intersections) == (EVIDENCE, "predictions", [["race", "gender"]])
    assert batch.tool.startswith("fairlearn ")
    assert BiasResult.objects.filter(assessment=assessment, dimension="race_x_gender").exists()
