"""Browser forms: parse what a person typed into the values the services expect.

The services own validation of answers, comments and conditions; these forms
only turn HTML form strings into typed values (and say so when they cannot),
so that every message can be shown next to the field it is about.

Every form here refuses text that cannot be stored (a NUL character, or a lone
UTF-16 surrogate, which a client can send by declaring an odd charset) with an
error on the field it came in, and re-renders what was posted with those
characters replaced, so the error page itself can always be encoded.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import QueryDict

from accounts.lockout import PASSWORD_MAX_LENGTH

from .canonical import unstorable_text
from .models import State

NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
BOOLEAN_VALUES = {"true": True, "false": False}
MAX_CONDITION_ROWS = 5


def screen_unstorable(data):
    """``(data, {key: message})``: the submitted data with unstorable text made safe to show, and what was wrong.

    NUL characters are dropped and lone surrogates become U+FFFD in the copy; the
    original is returned untouched when all of it can be stored.
    """
    if not data:
        return data, {}
    problems = {}
    for key in data:
        values = data.getlist(key) if isinstance(data, QueryDict) else [data[key]]
        for text in (key, *values):
            message = unstorable_text(text) if isinstance(text, str) else None
            if message:
                problems[key] = message
                break
    if not problems:
        return data, problems
    safe = QueryDict(mutable=True) if isinstance(data, QueryDict) else {}
    for key in data:
        values = data.getlist(key) if isinstance(data, QueryDict) else [data[key]]
        values = [_displayable(v) if isinstance(v, str) else v for v in values]
        if isinstance(safe, QueryDict):
            safe.setlist(_displayable(key), values)
        else:
            safe[_displayable(key)] = values[0]
    return safe, problems


def _displayable(text):
    return text.replace("\x00", "").encode("utf-8", "surrogatepass").decode("utf-8", "replace")


class RefusesUnstorableText:
    """Form mixin: a field whose submitted text cannot be stored gets an error naming the problem."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data, self.unstorable = screen_unstorable(self.data)

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        # Keys that are not this form's fields are ignored, as Django ignores them; they are only made safe to show.
        by_key = {self.add_prefix(name): name for name in self.fields}
        for key, message in self.unstorable.items():
            if key in by_key:
                self.add_error(by_key[key], "This text " + message)


def field_name(qid):
    """HTML-safe field name for a question id (no dots, so ids work as CSS selectors)."""
    return qid.replace(".", "__")


def dom_id(qid):
    return "q-" + qid.replace(".", "-").replace("_", "-")


class NumberAnswerField(forms.Field):
    """A number as typed: an int when whole, a float otherwise; commas in thousands are allowed."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
        if not NUMBER.match(text):
            raise ValidationError("Enter a number, using digits only (for example 1200).", code="invalid")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValidationError("Enter a number, using digits only (for example 1200).", code="invalid") from None
        if abs(number) > 10**15:
            raise ValidationError("That number is too large.", code="invalid")
        return int(number) if number == number.to_integral_value() else float(number)


class AnswersForm(RefusesUnstorableText, forms.Form):
    """One field per question of a questionnaire, none required: a draft may be incomplete."""

    def __init__(self, questionnaire, *args, answers=None, **kwargs):
        self.questionnaire = questionnaire
        initial = kwargs.pop("initial", None) or {}
        for qid, value in (answers or {}).items():
            question = questionnaire.questions.get(qid)
            if question is not None:
                initial[field_name(qid)] = _initial_value(question, value)
        super().__init__(*args, initial=initial, **kwargs)
        for question in questionnaire.questions.values():
            self.fields[field_name(question.id)] = _field_for(question)

    def question_fields(self):
        return {qid: self[field_name(qid)] for qid in self.questionnaire.questions}

    def answers(self):
        """Typed answers for every question that parsed; None clears (unanswered or hidden)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        result = {}
        for question in self.questionnaire.questions.values():
            name = field_name(question.id)
            if name in self.errors:
                continue
            result[question.id] = _typed(question, data.get(name))
        return result

    def control_id(self, qid):
        """The id of the question's first control (its first option for choices): where a link to it lands."""
        bound = self[field_name(qid)]
        if isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            return f"{bound.auto_id}_0"
        return bound.auto_id

    def mark_invalid(self, qid, error_id):
        """Render the question's choice controls as invalid and described by their error (text controls are
        rendered by hand in the template)."""
        self.fields[field_name(qid)].widget.attrs.update({"aria-invalid": "true", "aria-describedby": error_id})

    def errors_by_question(self):
        """Form (parsing) errors keyed by question id."""
        by_name = {field_name(qid): qid for qid in self.questionnaire.questions}
        return {by_name[name]: " ".join(errors) for name, errors in self.errors.items() if name in by_name}


def _field_for(question):
    attrs = {}
    if question.type == "text":
        if question.max_length:
            attrs["maxlength"] = question.max_length
        return forms.CharField(required=False, strip=True, widget=forms.TextInput(attrs=attrs))
    if question.type == "long_text":
        if question.max_length:
            attrs["maxlength"] = question.max_length
        attrs["rows"] = 5
        return forms.CharField(required=False, strip=True, widget=forms.Textarea(attrs=attrs))
    if question.type == "boolean":
        labels = {c.value: c.label for c in question.choices}
        choices = [("true", labels.get(True, "Yes")), ("false", labels.get(False, "No"))]
        return forms.ChoiceField(required=False, choices=choices, widget=forms.RadioSelect)
    if question.type == "single_choice":
        choices = [(str(c.value), c.label) for c in question.choices]
        return forms.ChoiceField(required=False, choices=choices, widget=forms.RadioSelect)
    if question.type == "multi_choice":
        choices = [(str(c.value), c.label) for c in question.choices]
        return forms.MultipleChoiceField(required=False, choices=choices, widget=forms.CheckboxSelectMultiple)
    if question.type == "number":
        attrs = {"inputmode": "decimal", "autocomplete": "off", "class": "input-number"}
        return NumberAnswerField(required=False, widget=forms.TextInput(attrs=attrs))
    raise ValueError(f"Unknown question type {question.type!r}")


def _initial_value(question, value):
    if question.type == "boolean" and isinstance(value, bool):
        return "true" if value else "false"
    if question.type == "multi_choice" and isinstance(value, list):
        return [str(v) for v in value]
    if value is None:
        return None
    return value if question.type != "number" else str(value)


def _typed(question, value):
    if value in (None, "", []):
        return None
    if question.type == "boolean":
        return BOOLEAN_VALUES.get(value)
    return value


class NewAssessmentForm(RefusesUnstorableText, forms.Form):
    feature_name = forms.CharField(
        label="Feature name",
        required=False,
        strip=True,
        help_text="The name people know the feature by, for example “Therapist matching”.",
        widget=forms.TextInput(attrs={"maxlength": 200, "autocomplete": "off"}),
    )
    team = forms.ChoiceField(label="Team", choices=())

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {team.slug: team for team in teams}
        self.fields["team"].choices = [(team.slug, team.name) for team in teams]
        self.fields["team"].error_messages["invalid_choice"] = "Choose one of your teams."
        self.fields["team"].error_messages["required"] = "Choose the team that owns the feature."
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].slug

    def selected_team(self):
        return self.teams.get(self.cleaned_data.get("team"))


class TransitionForm(RefusesUnstorableText, forms.Form):
    comment = forms.CharField(required=False, strip=True, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 5000}))
    expected_state = forms.ChoiceField(choices=State.choices, required=False, widget=forms.HiddenInput)
    # A signing act asks for these when the last re-authentication is too old (accounts/reauth.py).
    password = forms.CharField(required=False, strip=False, max_length=PASSWORD_MAX_LENGTH, widget=forms.PasswordInput)
    code = forms.CharField(required=False, strip=True, max_length=32)
    # A passkey's assertion instead of the code: the browser's JSON (static/js/passkeys.js).
    passkey = forms.CharField(required=False, strip=True, max_length=64 * 1024, widget=forms.HiddenInput)


class ConditionForm(RefusesUnstorableText, forms.Form):
    text = forms.CharField(
        label="Condition", required=False, strip=True, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000})
    )
    owner = forms.ChoiceField(label="Owner", required=False, choices=())
    due_date = forms.DateField(
        label="Due date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Give the due date as a date, for example 2026-03-31."},
    )
    before_launch = forms.BooleanField(label="Due before launch", required=False)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "The feature's owner")] + [
            (user.get_username(), person_name(user)) for user in owners
        ]
        self.fields["owner"].error_messages["invalid_choice"] = "Choose a member of the team."

    def is_blank(self):
        data = getattr(self, "cleaned_data", {})
        return (
            not data.get("text")
            and not data.get("due_date")
            and not data.get("before_launch")
            and not self.has_error("due_date")
        )

    def clean(self):
        data = super().clean()
        if data.get("text") or data.get("due_date") or data.get("before_launch") or self.has_error("due_date"):
            if not data.get("text"):
                self.add_error("text", "Say what the team must do.")
            if data.get("before_launch") and data.get("due_date"):
                self.add_error("due_date", "Give a due date, or tick “Due before launch”, not both.")
            elif not data.get("before_launch") and not data.get("due_date") and not self.has_error("due_date"):
                self.add_error("due_date", "Give a due date, or tick “Due before launch”.")
        return data

    def as_service_value(self):
        data = self.cleaned_data
        value = {"text": data["text"], "owner": data.get("owner") or ""}
        if data.get("before_launch"):
            value["before_launch"] = True
        else:
            value["due_date"] = data["due_date"].isoformat()
        return value


class BaseConditionFormSet(forms.BaseFormSet):
    """Screens the whole post once (the management form renders it too); errors go to the fields they came in."""

    def __init__(self, data=None, *args, **kwargs):
        data, self.unstorable = screen_unstorable(data)
        super().__init__(data, *args, **kwargs)

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        fields = {form.add_prefix(name): (form, name) for form in self.forms for name in form.fields}
        for key, message in self.unstorable.items():
            form, name = fields.get(key, (None, None))
            if form is not None:
                form.add_error(name, "This text " + message)
            else:
                self._non_form_errors.append(f"The field {_displayable(key)} " + message)


ConditionFormSet = forms.formset_factory(
    ConditionForm,
    formset=BaseConditionFormSet,
    extra=MAX_CONDITION_ROWS,
    max_num=MAX_CONDITION_ROWS,
    absolute_max=MAX_CONDITION_ROWS,
    validate_max=True,
)


def person_name(user):
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


class LoginForm(RefusesUnstorableText, AuthenticationForm):
    """The sign-in form: a username or password that cannot be stored is a form error, never a failed query."""

    def clean(self):
        if self.unstorable:
            return self.cleaned_data  # refused in full_clean; do not ask the database about it
        return super().clean()
