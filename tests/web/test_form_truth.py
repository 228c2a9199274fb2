"""Forms that tell the truth: required-ness follows the answers, errors sit beside their fields, and the
unanswered counter and the submit blockers come from one place, each blocker linking to what it names."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import roles
from assessments import services
from assessments.demo import seed_demo
from assessments.errors import TransitionConflict
from assessments.forms import dom_id, field_name
from assessments.models import Assessment, State
from assessments.presenters.answers import live_summary, show_if_rules
from assessments.questionnaire import AUDIENCE, DISCLOSURE, get_questionnaire
from assessments.services import assessment_update_answers

from ..answers import complete_answers, complete_answers_for
from ..workflow import EVIDENCE, act, advance, bias_rows, create_draft
from .posting import form_data

DISCLOSURE_LABEL = re.compile(r'id="q-transparency-disclosure-text".*?data-required-label>\((\w+)\)', re.S)
# Reasons that name a question or a form on the page, and so must link to it.
LINKED = re.compile(r"^(answer_required|hard_stop|disclosure_too_hard|bias_.*|condition_.*|sign_offs_missing)$")


def ids_on(page):
    return set(re.findall(r'\sid="([^"]+)"', page))


def reasons_on(page):
    """``[(code, link target or None)]`` for every reason listed on the page (live panel and action blockers)."""
    return [(code, target) for code, target in re.findall(r'<li data-reason="([^"]+)">(?:<a href="#([^"]*)")?', page)]


def counter_on(page):
    match = re.search(r'data-unanswered="(\d+)">(\d+) of (\d+) required answers? given', page)
    return int(match[1]), int(match[2]), int(match[3])


def assert_reasons_link_to_what_exists(page, where):
    ids = ids_on(page)
    for code, target in reasons_on(page):
        if LINKED.match(code):
            assert target, (where, code)
        if target:
            assert target in ids, (where, code, target)


def test_on_the_demo_the_counter_equals_the_question_blockers_and_every_blocker_links(db, login):
    seed_demo(password="demo-pass-1")
    seen = []
    for assessment in Assessment.objects.filter(state__in=[State.DRAFT, State.CHANGES_REQUESTED]):
        member = assessment.feature.team.members.first()
        page = login(member).get(reverse("assessment_edit", args=[assessment.pk])).content.decode()
        unanswered, answered, total = counter_on(page)
        question_blockers = [c for c, _ in reasons_on(page) if c == "answer_required"]
        assert unanswered == total - answered == len(question_blockers), assessment
        assert_reasons_link_to_what_exists(page, assessment)
        seen.append(assessment.state)
    assert len(seen) >= 2, seen
    assert_every_demo_page_links_blockers_to_what_exists(login)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {AUDIENCE: ["clients"], DISCLOSURE: None},  # the disclosure becomes required and is missing
        {AUDIENCE: ["internal"], DISCLOSURE: None},
        {"impact.benefits": None, "overview.feature_summary": None},
        {"data.processes_phi": True, "data.phi_safeguards": None},  # a show_if question appears, unanswered
    ],
)
def test_the_live_panel_counts_what_the_blockers_list(people, login, overrides):
    answers = {k: v for k, v in complete_answers().items() if k not in overrides}
    answers.update({k: v for k, v in overrides.items() if v is not None})
    assessment = create_draft(people)
    response = login(people.alice).post(
        reverse("assessment_preview", args=[assessment.pk]), form_data(answers), HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    unanswered, answered, total = counter_on(page)
    listed = [c for c, _ in reasons_on(page) if c == "answer_required"]
    assert unanswered == total - answered == len(listed)
    questionnaire = get_questionnaire(assessment.questionnaire_version)
    assert len(listed) == len(questionnaire.missing_required(questionnaire.clean(answers)[0]))


def test_a_missing_disclosure_is_counted_once_audience_includes_clients(people):
    questionnaire = get_questionnaire(create_draft(people).questionnaire_version)
    answers = {k: v for k, v in complete_answers(**{AUDIENCE: ["clients"]}).items() if k != DISCLOSURE}
    live = live_summary(questionnaire, questionnaire.clean(answers)[0])
    assert live["unanswered"] == 1 and live["required_total"] - live["required_answered"] == 1
    assert [b["anchor"] for b in live["blockers"]] == ["q-transparency-disclosure-text"]


def assert_every_demo_page_links_blockers_to_what_exists(login):
    users = get_user_model().objects
    codes = set()
    for assessment in Assessment.objects.all():
        viewers = [assessment.feature.team.members.first(), users.get(username="chair")]
        viewers += [users.filter(groups__name=domain).first() for domain in roles.DOMAINS]
        for viewer in filter(None, viewers):
            response = login(viewer).get(reverse("assessment_detail", args=[assessment.pk]))
            if response.status_code != 200:
                continue
            page = response.content.decode()
            assert_reasons_link_to_what_exists(page, (assessment, viewer))
            codes.update(code for code, _ in reasons_on(page))
    assert codes & {"answer_required", "hard_stop"}, codes


def test_the_disclosure_is_labelled_required_once_clients_are_in_the_audience(people, login):
    assessment = create_draft(people)
    url = reverse("assessment_edit", args=[assessment.pk])
    assessment_update_answers(assessment=assessment, answers={AUDIENCE: ["internal"]}, by=people.alice)
    assert DISCLOSURE_LABEL.search(login(people.alice).get(url).content.decode())[1] == "optional"
    assessment_update_answers(assessment=assessment, answers={AUDIENCE: ["clients"]}, by=people.alice)
    page = login(people.alice).get(url).content.decode()
    assert DISCLOSURE_LABEL.search(page)[1] == "required"
    # The browser follows the same rule live: it reads the rule from the page.
    assert f'data-required-if-field="{field_name(AUDIENCE)}" data-required-if-any="clients therapists"' in page


def test_an_error_sits_beside_its_field_and_the_summary_links_to_the_field(people, login):
    assessment = create_draft(people)
    data = form_data(complete_answers(), base_hash=assessment.content_hash)
    data["impact__expected_users_per_month"] = "lots"
    data["overview__audience"] = ["clients", "nonsense"]
    response = login(people.alice).post(reverse("assessment_edit", args=[assessment.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400
    ids = ids_on(page)
    # A text field: invalid, and described by its error, which has that id and sits in the question.
    field = re.search(r'<input type="text" name="impact__expected_users_per_month"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in field
    assert "err-q-impact-expected-users-per-month" in re.search(r'aria-describedby="([^"]*)"', field)[1].split()
    error = page[page.index('id="err-q-impact-expected-users-per-month"') :][:200]
    assert "Enter a number" in error
    # A choice field: each option is invalid and described by the error.
    option = re.search(r'<input type="checkbox" name="overview__audience"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in option and 'aria-describedby="err-q-overview-audience"' in option
    assert "err-q-overview-audience" in ids
    # The summary at the top links to each field's control.
    summary = page[page.index('id="error-summary"') :].split("</section>", 1)[0]
    links = re.findall(r'href="#([^"]+)"', summary)
    assert set(links) == {"f-overview__audience_0", "f-impact__expected_users_per_month"}
    assert set(links) <= ids


def conditional_questions():
    """``(version, question id)`` of every question with a show_if, in each questionnaire version."""
    return [(v, q.id) for v in ("v1", "v2") for q in get_questionnaire(v).questions.values() if q.show_if]


def answers_that(questionnaire, question, *, show):
    """Complete answers of ``questionnaire`` without ``question``, its earlier answer set to show it or not."""
    rule = question.show_if
    target = questionnaire.questions[rule["question"]]
    wanted = [rule["equals"]] if "equals" in rule else [rule["includes"]] if "includes" in rule else rule["in"]
    value = wanted[0] if show else next(v for v in target.choice_values if v not in wanted)
    value = [value] if target.type == "multi_choice" else value
    answers = complete_answers_for(questionnaire.version, **{target.id: value})
    return {k: v for k, v in answers.items() if k != question.id}


def question_on(page, qid):
    """The question's block on the form: its opening tag and its required label."""
    start = page.index(f'<div class="question" id="{dom_id(qid)}"')
    block = page[start : page.index("</legend>" if "<legend" in page[start : start + 600] else "</label>", start)]
    return block.split(">", 1)[0], re.search(r"data-required-label>\((\w+)\)", block)[1]


@pytest.mark.parametrize(("version", "qid"), conditional_questions())
def test_every_conditional_question_is_required_exactly_while_it_is_asked(people, login, version, qid):
    questionnaire = get_questionnaire(version)
    question = questionnaire.questions[qid]
    shown, hidden = answers_that(questionnaire, question, show=True), answers_that(questionnaire, question, show=False)
    assert question.required, f"{qid}: a conditional question the policy asks is required once asked"
    assert questionnaire.is_required(question, shown) and question in questionnaire.missing_required(shown)
    assert not questionnaire.is_required(question, hidden) and question not in questionnaire.missing_required(hidden)
    blocking = [r.question for r in questionnaire.submit_blockers(shown) if r.code == "answer_required"]
    assert blocking == [qid]

    assessment = services.assessment_create(
        team=people.team, feature_name=f"{version} {qid}", answers=shown, by=people.alice, questionnaire_version=version
    )
    client = login(people.alice)
    url = reverse("assessment_edit", args=[assessment.pk])
    page = client.get(url).content.decode()
    tag, label = question_on(page, qid)
    assert " hidden" not in tag and label == "required"
    assert [(c, t) for c, t in reasons_on(page) if c == "answer_required"] == [("answer_required", dom_id(qid))]
    assert counter_on(page)[0] == 1
    # The browser applies the same rule live: it reads it from the page, in the values the form posts.
    rules = json.loads(re.search(r'id="show-if-rules" type="application/json">(.*?)</script>', page, re.S)[1])
    assert rules[field_name(qid)] == show_if_rules(questionnaire)[field_name(qid)]

    services.assessment_update_answers(assessment=assessment, answers=hidden, by=people.alice, replace=True)
    page = client.get(url).content.decode()
    tag, label = question_on(page, qid)
    # Hidden, it is labelled as it will be when shown, and blocks nothing.
    assert " hidden" in tag and label == "required"
    assert not [c for c, _ in reasons_on(page) if c == "answer_required"] and counter_on(page)[0] == 0
    # On the server too: asked and unanswered, it holds submission, named; not asked, it holds nothing.
    assessment = services.assessment_update_answers(assessment=assessment, answers=shown, by=people.alice, replace=True)
    with pytest.raises(TransitionConflict) as refused:
        services.assessment_transition(assessment=assessment, name="submit", by=people.alice)
    assert [r.question for r in refused.value.reasons] == [qid]
    assessment = services.assessment_update_answers(
        assessment=assessment, answers=hidden, by=people.alice, replace=True
    )
    assert services.assessment_transition(assessment=assessment, name="submit", by=people.alice).state != State.DRAFT


def test_the_bias_blockers_link_to_the_flags_notes_and_to_the_missing_evidence(people, login):
    draft = create_draft(people)
    rows = [r for r in bias_rows(("race", "gender")) if not (r["dimension"] == "race" and r["group"] == "group b")]
    rows.append({"dimension": "race", "group": "group b", "n": 190, "metric": "selection_rate", "value": 0.3})
    services.bias_results_add(description=EVIDENCE, assessment=draft, rows=rows, by=people.alice)
    assessment = advance(people, act(people, draft, "submit"), State.DATA_AI_REVIEW)
    page = login(people.reviewers["data_ai"]).get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    links = dict(reasons_on(page))
    assert links["bias_flag_unmitigated"] == "bias-flags" and links["bias_evidence_missing"] == "bias"
    assert_reasons_link_to_what_exists(page, assessment)
    # The flags' target holds the form where the flag gets its mitigation note.
    flags = page.split('id="bias-flags"', 1)[1].split("</section>", 1)[0]
    assert 'class="bias-note-form"' in flags and 'name="flag" value="ratio_below_four_fifths:race:' in flags


def test_a_launch_blocker_links_to_its_own_condition(people, login):
    """Two before-launch conditions: each blocker links to the condition it names, which is on the page."""
    from assessments.models import Condition

    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    conditions = [
        {"text": "Publish the model card.", "before_launch": True},
        {"text": "Train the support desk.", "before_launch": True},
    ]
    assessment = advance(people, act(people, assessment, "approve", conditions=conditions), State.APPROVED)
    page = login(people.alice).get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    targets = [target for code, target in reasons_on(page) if code == "condition_open"]
    # Listed twice on the page (where launch waits, and beside the launch button), each linking to its condition.
    assert targets == [f"condition-{c.pk}" for c in Condition.objects.order_by("pk")] * 2
    assert_reasons_link_to_what_exists(page, assessment)


def test_missing_sign_offs_link_to_the_sign_offs():
    from assessments.errors import Reason
    from assessments.presenters.answers import reason_item

    item = reason_item(
        get_questionnaire(), Reason("sign_offs_missing", "Valid sign-offs of this round are missing from: Legal.")
    )
    assert item["anchor"] == "sign-offs"
