"""Forms of the institution pages: classes, inviting staff, joining a class with its code."""

from django import forms

from ..models import Role


class ClassForm(forms.Form):
    name = forms.CharField(max_length=120, label="Class name")


class ClassSettingsForm(forms.Form):
    ACTIONS = [
        ("rename", "Rename"),
        ("archive", "Archive"),
        ("unarchive", "Restore"),
        ("new-code", "New join code"),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    name = forms.CharField(max_length=120, required=False, label="Class name")

    def clean(self):
        data = super().clean()
        if data.get("action") == "rename" and not (data.get("name") or "").strip():
            self.add_error("name", "Give the class a name.")
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254)
    name = forms.CharField(max_length=80, required=False, label="Name (optional)")
    role = forms.ChoiceField(
        choices=[(Role.TEACHER, "Teacher"), (Role.ADMIN, "Institution admin")], initial=Role.TEACHER
    )


class JoinForm(forms.Form):
    code = forms.CharField(
        max_length=40, label="Class code", help_text="The code your teacher gave you, e.g. K7Q2-MX9PA-4TR."
    )
