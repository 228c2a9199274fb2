from django import forms

from .models import NoticePreference


class PreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label="Email me",
        choices=NoticePreference.Email.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you want your emails.", "invalid_choice": "Choose one of the two."},
    )
