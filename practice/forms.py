import zoneinfo

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from .models import PracticeSession, Profile

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class SignupForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(max_length=80, required=False, help_text="How we greet you. Optional.")
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", "The two passwords do not match.")
        return cleaned


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Email or username",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES)

    class Meta:
        model = Profile
        fields = ["display_name", "target_score", "test_date", "time_zone"]
        widgets = {
            "test_date": forms.DateInput(attrs={"type": "date"}),
            "target_score": forms.NumberInput(attrs={"min": 400, "max": 1600, "step": 10}),
        }


class SessionStartForm(forms.Form):
    """What a learner picks to start a session; choices come from one query of the taxonomy."""

    section = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect)
    domains = forms.TypedMultipleChoiceField(coerce=int, required=False)
    skills = forms.TypedMultipleChoiceField(coerce=int, required=False)
    difficulty = forms.ChoiceField(
        choices=PracticeSession.DifficultyChoice.choices, initial=PracticeSession.DifficultyChoice.MIXED
    )
    length = forms.IntegerField(
        label="Number of questions",
        min_value=5,
        max_value=50,
        initial=10,
        help_text="5 to 50.",
        widget=forms.NumberInput(attrs={"min": 5, "max": 50}),
    )
    mode = forms.ChoiceField(
        choices=PracticeSession.Mode.choices, initial=PracticeSession.Mode.PRACTICE, widget=forms.RadioSelect
    )

    def __init__(self, *args, skills, **kwargs):
        super().__init__(*args, **kwargs)
        self.skill_objects = {skill.pk: skill for skill in skills}
        self.domain_objects = {skill.domain_id: skill.domain for skill in skills}
        self.section_objects = {skill.domain.section_id: skill.domain.section for skill in skills}
        self.fields["section"].choices = [(pk, s.name) for pk, s in self.section_objects.items()]
        self.fields["domains"].choices = [(pk, d.name) for pk, d in self.domain_objects.items()]
        self.fields["skills"].choices = [(pk, s.name) for pk, s in self.skill_objects.items()]
        if self.section_objects and not self.is_bound:
            self.fields["section"].initial = next(iter(self.section_objects))

    def tree(self):
        """Sections → domains → skills with the bound selections, for the template."""
        chosen_domains = {str(v) for v in (self["domains"].value() or [])}
        chosen_skills = {str(v) for v in (self["skills"].value() or [])}
        chosen_section = str(self["section"].value() or "")
        sections = {}
        for skill in self.skill_objects.values():
            domain, section = skill.domain, skill.domain.section
            entry = sections.setdefault(
                section.pk, {"section": section, "checked": str(section.pk) == chosen_section, "domains": {}}
            )
            d_entry = entry["domains"].setdefault(
                domain.pk, {"domain": domain, "checked": str(domain.pk) in chosen_domains, "skills": []}
            )
            d_entry["skills"].append({"skill": skill, "checked": str(skill.pk) in chosen_skills})
        return [{**s, "domains": list(s["domains"].values())} for s in sections.values()]

    def clean(self):
        cleaned = super().clean()
        section_id = cleaned.get("section")
        if section_id is None:
            return cleaned
        cleaned["section"] = self.section_objects[section_id]
        cleaned["domains"] = [self.domain_objects[pk] for pk in cleaned.get("domains", [])]
        cleaned["skills"] = [self.skill_objects[pk] for pk in cleaned.get("skills", [])]
        if any(d.section_id != section_id for d in cleaned["domains"]) or any(
            s.domain.section_id != section_id for s in cleaned["skills"]
        ):
            raise forms.ValidationError(
                f"Pick domains and skills from {cleaned['section'].name} only, "
                "or leave them all unticked for a mixed session."
            )
        return cleaned


class AnswerForm(forms.Form):
    given = forms.CharField(
        label="Your answer", max_length=20, error_messages={"required": "Choose or enter an answer first."}
    )
    key = forms.UUIDField(widget=forms.HiddenInput)
