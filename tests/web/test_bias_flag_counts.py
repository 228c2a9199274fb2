"""Flag counts agree wherever they appear: the page's summary and list, the API's list, the approval gate's
reasons and the dossier, on every demo assessment."""

import re

from django.urls import reverse
from rest_framework.test import APIClient

from assessments.bias import bias_evidence_blockers
from assessments.demo import seed_demo
from assessments.models import Assessment, EvidenceKind
from reports.dossier import dossier_record, record_context

FLAG_CODES = {"bias_flag_unmitigated", "bias_group_too_small"}


def test_flag_counts_agree_everywhere_on_every_demo_assessment(db, login, django_user_model):
    seed_demo(password="demo-pass-1")
    alice = django_user_model.objects.get(username="alice")
    api = APIClient()
    api.force_authenticate(alice)
    seen = set()
    for assessment in Assessment.objects.all():
        page = login(alice).get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
        flags = [
            f for f in api.get(f"/api/v1/assessments/{assessment.pk}/bias-flags/").json() if f["kind"] == "approval"
        ]
        gate = [r for r in bias_evidence_blockers(assessment) if r.code in FLAG_CODES]
        dossier = record_context(dossier_record(assessment))

        section = page.split('id="bias-flags"', 1)[1].split("</section>", 1)[0] if 'id="bias-flags"' in page else ""
        listed = section.split('class="bias-note-form"', 1)[0].count('<li class="bias-flag"')
        summary = re.search(r'data-total="(\d+)" data-open="(\d+)"', section)
        total, open_ = (int(summary[1]), int(summary[2])) if summary else (0, 0)
        mitigated = sum(1 for f in flags if f["mitigated"])

        assert listed == total == len(flags) == dossier["bias_flags"], assessment
        assert open_ == len(flags) - mitigated == len(gate), assessment
        assert dossier["bias_flags_mitigated"] == mitigated, assessment
        seen.add((total, open_))
    # The demo shows a mitigated error-rate flag and an open small-sample flag, not only assessments without flags.
    assert {(1, 0), (1, 1)} <= seen, seen


def test_the_demo_names_the_language_flagged_more_often_as_disadvantaged(db):
    seed_demo(password="demo-pass-1")
    intake = Assessment.objects.get(feature__name="AI-enhanced intake summary", version=1)

    from assessments.services import bias_flags_of

    (flag,) = [f for f in bias_flags_of(intake) if f["kind"] == EvidenceKind.APPROVAL]
    assert (flag["metric"], flag["disadvantaged_group"], flag["reference_group"]) == (
        "false_positive_rate",
        "Spanish",
        "English",
    )
    assert flag["ratio"] == 0.25 and flag["mitigated"]
