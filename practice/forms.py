import zoneinfo

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from .models import Profile

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
