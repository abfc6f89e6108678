"""Forms of the roster upload: the file (read and checked into rows) and the commit of a preview."""

from django import forms

from ..formats import roster


class RosterUploadForm(forms.Form):
    """An uploaded roster CSV; `roster` holds its rows when the form is valid, `too_large` says whether
    it was refused for its size (a 413 rather than a 422)."""

    file = forms.FileField(
        label="Roster CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=f"UTF-8 CSV with a header row, at most {roster.MAX_BYTES // (1024 * 1024)} MB and "
        f"{roster.MAX_ROWS:,} learners.",
        error_messages={
            "required": "Choose a CSV file to upload.",
            "empty": "The file is empty.",
            "invalid": "Choose a CSV file to upload.",
        },
    )

    def __init__(self, *args, class_required: bool = True, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.class_required, self.too_large = class_required, too_large
        self.roster: roster.RosterFile | None = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > roster.MAX_BYTES:
            self.too_large = True
            raise forms.ValidationError(roster.too_large_message())
        try:
            self.roster = roster.parse(upload.read(roster.MAX_BYTES + 1), class_required=self.class_required)
        except roster.RosterRefused as exc:
            raise forms.ValidationError(exc.messages) from None
        return upload

    def clean(self):
        if self.too_large:
            # The upload was cut off while it arrived (prepnexus/uploads.py), so there is no file to read.
            self.errors.pop("file", None)
            self.add_error("file", roster.too_large_message())
        return super().clean()


class RosterCommitForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
