"""Register text with review, and the register in the public standards' formats (ATRS v4, Dutch
Algoritmeregister 1.0, CSV), checked against the JSON Schemas in docs/schemas/."""

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from assessments.audit import audit_verify
from assessments.errors import InputError, NotPermitted, TransitionConflict
from assessments.models import AIFeature, AuditEntry, State
from reports import register
from reports.models import RegisterText
from reports.register_formats import algoritmeregister_problems, shorten
from reports.register_publication import (
    publication_blockers,
    register_text_draft,
    register_text_publish,
    register_text_retract,
    text_version,
)

from ..workflow import act, advance, create_draft
from .register_text import TEXT, fresh_register  # noqa: F401  (fresh_register: an autouse fixture)

SCHEMAS = Path(settings.BASE_DIR) / "docs" / "schemas"
ATRS = "/register/atrs.json"
NL = "/register/algoritmeregister.json"
CSV = "/register.csv"
HARD = (
    "Notwithstanding the aforementioned considerations, institutional accountability mechanisms "
    "necessitate comprehensive documentation of algorithmic intermediation characteristics."
)


def schema(name):
    return json.loads((SCHEMAS / name).read_text())


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the block's on-commit callbacks (the register forgets its cache then), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def launched(people, fast_render):
    return advance(people, create_draft(people, name="Intake summary"), State.LAUNCHED)


def legal(people):
    return people.reviewers["legal"]


def published(people, feature, **changes):
    draft = register_text_draft(feature=feature, by=people.alice, values={**TEXT, **changes})
    return register_text_publish(text=draft, by=legal(people))


def get_json(url):
    response = Client().get(url)
    assert response.status_code == 200, response.content
    return response.json()


def csv_rows():
    response = Client().get(CSV)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def everywhere(name):
    """Where the feature ``name`` appears: page, register.json, ATRS, Dutch export, CSV."""
    page = Client().get("/register/").content.decode()
    return {
        "page": name in page,
        "json": name in [f["feature"] for f in get_json("/register.json")["features"]],
        "atrs": name in [r["name"] for r in get_json(ATRS)["records"]],
        "nl": name in [r["name"] for r in get_json(NL)["algorithms"]],
        "csv": name in [r["feature"] for r in csv_rows()],
    }


# -- the demo ------------------------------------------------------------------------------------------


def test_the_demo_register_and_both_exports_are_filled_and_valid(db):
    call_command("seed_demo", "--password", "pw")
    call_command("seed_demo", "--password", "pw")  # idempotent: one published text per feature
    register.register_invalidate()

    atrs, nl = get_json(ATRS), get_json(NL)
    jsonschema.validate(atrs, schema("atrs-v4.schema.json"))
    jsonschema.validate(nl, schema("algoritmeregister-1.0.schema.json"))
    launched = AIFeature.objects.get(name="AI-enhanced intake summary")
    assert RegisterText.objects.filter(status=RegisterText.Status.PUBLISHED).count() == 2
    assert {r["name"] for r in atrs["records"]} == {launched.name, "Therapist matching"}
    assert {r["name"] for r in nl["algorithms"]} == {launched.name, "Therapist matching"}
    assert {r["feature"] for r in csv_rows()} == {launched.name, "Therapist matching"}
    entry = next(f for f in get_json("/register.json")["features"] if f["feature"] == launched.name)
    assert entry["register_text"]["contact_email"] == "client-experience-ai@example.org"
    page = Client().get("/register/").content.decode()
    assert "How to complain or appeal" in page and "Head of Client Experience" in page
    assert audit_verify().ok


# -- the schemas hold the limits -------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "limit"), [("name", 100), ("description_short", 350)])
def test_the_dutch_schema_and_the_publication_check_hold_the_length_limits(db, field, limit):
    call_command("seed_demo", "--password", "pw")
    register.register_invalidate()
    document = get_json(NL)
    nl_schema = schema("algoritmeregister-1.0.schema.json")
    record = document["algorithms"][0]

    record[field] = "x" * (limit - 1)
    jsonschema.validate(document, nl_schema)
    assert algoritmeregister_problems(record) == []
    record[field] = "x" * limit
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, nl_schema)
    assert [f for f, _ in algoritmeregister_problems(record)] == [field]


def test_a_dutch_record_without_a_mandatory_field_fails_the_schema(db):
    call_command("seed_demo", "--password", "pw")
    register.register_invalidate()
    document = get_json(NL)
    del document["algorithms"][0]["contact_email"]
    with pytest.raises(jsonschema.ValidationError, match="contact_email"):
        jsonschema.validate(document, schema("algoritmeregister-1.0.schema.json"))


def test_an_atrs_record_without_a_tier_1_field_fails_the_schema(db):
    call_command("seed_demo", "--password", "pw")
    register.register_invalidate()
    document = get_json(ATRS)
    document["records"][0]["contact_email"] = ""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema("atrs-v4.schema.json"))


def test_long_text_is_shortened_below_the_limit_at_a_word_and_says_so():
    assert shorten("short", 2500) == "short"
    text = "word " * 600
    cut = shorten(text, 2500)
    assert len(cut) < 2500 and cut.endswith("(shortened; the full text is in our register)")
    exact = "x" * 2499
    assert shorten(exact, 2500) == exact


# -- publication with review -------------------------------------------------------------------------------


def test_an_entry_without_a_contact_address_cannot_be_published(people, launched):
    draft = register_text_draft(feature=launched.feature, by=people.alice, values={**TEXT, "contact_email": ""})

    with pytest.raises(TransitionConflict) as refused:
        register_text_publish(text=draft, by=legal(people))

    assert [r.code for r in refused.value.reasons] == ["contact_missing"]
    assert "contact address" in refused.value.reasons[0].message
    assert everywhere("Intake summary")["page"] and not everywhere("Intake summary")["atrs"]


def test_register_text_in_hard_words_is_refused_by_the_readability_gate(people, launched):
    draft = register_text_draft(feature=launched.feature, by=people.alice, values={**TEXT, "data_used": HARD})
    with pytest.raises(TransitionConflict) as refused:
        register_text_publish(text=draft, by=legal(people))
    assert [(r.code, r.question) for r in refused.value.reasons] == [("text_too_hard", "data_used")]


def test_a_name_of_100_characters_is_refused_and_99_accepted(people, launched):
    draft = register_text_draft(feature=launched.feature, by=people.alice, values=TEXT)
    launched.feature.name = "n" * 100
    assert [r.code for r in publication_blockers(draft, launched)] == ["dutch_register_limit"]
    launched.feature.name = "n" * 99
    assert publication_blockers(draft, launched) == []


def test_only_approved_text_is_public_and_a_pending_edit_does_not_show(people, launched, commit):
    with commit():
        published(people, launched.feature)
    assert get_json(ATRS)["records"][0]["contact_email"] == TEXT["contact_email"]

    edit = register_text_draft(feature=launched.feature, by=people.alice, values={"contact_email": "new@example.org"})
    register.register_invalidate()  # read afresh from the database, not from the cached copy

    assert edit.status == RegisterText.Status.DRAFT and edit.data_used == TEXT["data_used"]
    assert get_json(ATRS)["records"][0]["contact_email"] == TEXT["contact_email"]
    assert get_json("/register.json")["features"][0]["register_text"]["contact_email"] == TEXT["contact_email"]
    assert "new@example.org" not in Client().get("/register/").content.decode()

    with commit():
        register_text_publish(text=edit, by=people.chair)

    assert get_json(NL)["algorithms"][0]["contact_email"] == "new@example.org"
    assert list(RegisterText.objects.values_list("status", flat=True).order_by("pk")) == ["replaced", "published"]


def test_publication_and_retraction_are_in_the_audit_log_and_retraction_removes_every_format(people, launched, commit):
    with commit():
        published(people, launched.feature)
    assert everywhere("Intake summary") == dict.fromkeys(("page", "json", "atrs", "nl", "csv"), True)

    with commit():
        register_text_retract(feature=launched.feature, by=legal(people), reason="The supplier changed.")

    assert everywhere("Intake summary") == dict.fromkeys(("page", "json", "atrs", "nl", "csv"), False)
    actions = list(
        AuditEntry.objects.filter(assessment=launched, action__startswith="register_").values_list("action", "comment")
    )
    assert actions == [("register_published", ""), ("register_retracted", "The supplier changed.")]
    assert audit_verify().ok

    with commit():
        published(people, launched.feature)  # a new publication puts it back
    assert everywhere("Intake summary")["nl"]


def test_the_register_says_under_review_while_a_launched_feature_is_re_assessed(people, launched, commit):
    with commit():
        published(people, launched.feature)
        act(people, launched, "start_reassessment")

    entry = get_json("/register.json")["features"][0]
    assert entry["under_review"] is True and entry["status"] == "reassessment_due"
    assert "Under review" in Client().get("/register/").content.decode()


@pytest.mark.parametrize("who", ["alice", "security", "auditor", "olga"])
def test_only_legal_or_the_chair_from_outside_the_team_publish(people, launched, who):
    draft = register_text_draft(feature=launched.feature, by=people.alice, values=TEXT)
    user = {"security": people.reviewers["security"], "auditor": people.auditor}.get(who) or getattr(people, who)
    with pytest.raises(NotPermitted):
        register_text_publish(text=draft, by=user)


def test_a_legal_reviewer_in_the_team_may_not_publish_its_text(people, launched):
    people.team.members.add(legal(people))
    draft = register_text_draft(feature=launched.feature, by=people.alice, values=TEXT)
    with pytest.raises(NotPermitted, match="own team"):
        register_text_publish(text=draft, by=legal(people))


def test_only_the_team_drafts_and_only_legal_or_the_chair_retract(people, launched):
    with pytest.raises(NotPermitted):
        register_text_draft(feature=launched.feature, by=people.olga, values=TEXT)
    with pytest.raises(NotPermitted):
        register_text_draft(feature=launched.feature, by=legal(people), values=TEXT)
    published(people, launched.feature)
    with pytest.raises(NotPermitted):
        register_text_retract(feature=launched.feature, by=people.alice, reason="No.")
    with pytest.raises(InputError):
        register_text_retract(feature=launched.feature, by=people.chair, reason=" ")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"contact_email": "not an address"}, "contact_email"),
        ({"data_used": "x" * 2500}, "data_used"),
        ({"supplier": 7}, "supplier"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_register_text_is_refused_with_the_field_named(people, launched, values, field):
    with pytest.raises(InputError) as refused:
        register_text_draft(feature=launched.feature, by=people.alice, values=values)
    assert field in refused.value.errors


def test_a_feature_not_on_the_register_cannot_be_published(people):
    draft_assessment = create_draft(people, name="Not yet")
    draft = register_text_draft(feature=draft_assessment.feature, by=people.alice, values=TEXT)
    with pytest.raises(TransitionConflict) as refused:
        register_text_publish(text=draft, by=legal(people))
    assert [r.code for r in refused.value.reasons] == ["not_listed"]


# -- the pages ----------------------------------------------------------------------------------------------


def test_the_team_drafts_and_legal_publishes_in_the_browser(people, launched, client):
    url = f"/reports/register/{launched.feature_id}/"
    client.force_login(people.alice)
    response = client.post(url, {"action": "save", "version": text_version(None), **TEXT})
    assert response.status_code == 302
    draft = RegisterText.objects.get(feature=launched.feature)
    # The team does not publish its own text.
    assert client.post(url, {"action": "publish", "version": text_version(draft)}).status_code == 403

    client.force_login(legal(people))
    page = client.get(url).content.decode()
    assert "Draft awaiting review" in page and "contact_email" in page  # the export preview
    assert client.post(url, {"action": "publish", "version": text_version(draft)}).status_code == 302
    assert RegisterText.objects.get(feature=launched.feature).status == RegisterText.Status.PUBLISHED

    refused = client.post(url, {"action": "retract", "reason": ""})
    assert refused.status_code == 400


def test_the_register_text_page_of_another_teams_feature_is_not_found(people, launched, client):
    client.force_login(people.olga)
    assert client.get(f"/reports/register/{launched.feature_id}/").status_code == 404
    assert "Intake summary" not in client.get("/reports/register/").content.decode()


def test_publishing_without_a_contact_in_the_browser_says_why(people, launched, client):
    draft = register_text_draft(feature=launched.feature, by=people.alice, values={**TEXT, "contact_email": ""})
    client.force_login(people.chair)
    response = client.post(
        f"/reports/register/{launched.feature_id}/", {"action": "publish", "version": text_version(draft)}
    )
    assert response.status_code == 409 and "Add a team contact address" in response.content.decode()


@pytest.mark.parametrize("url", [ATRS, NL, CSV])
def test_the_exports_are_public_and_refuse_query_parameters(db, url):
    assert Client().get(url).status_code == 200
    assert Client().get(url + "?x=1").status_code == 400
