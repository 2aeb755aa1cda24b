"""Forms of the citizen portal: validate at the edge, decide in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from xinfang.cases.attachments import MAX_BYTES, check_upload
from xinfang.cases.forms import MultipleFileField
from xinfang.cases.models import Category, PetitionType, Rating

from .conf import conf
from .selectors import division_choices
from .validators import normalise_id_number, normalise_phone, validate_id_number, validate_phone

TYPE_HELP = {
    PetitionType.SUGGESTION: _("Ideas and opinions on public work."),
    PetitionType.ACCUSATION: _(
        "Reports on officials or units. Your identity is kept confidential and never passed "
        "to those you report."
    ),
    PetitionType.APPEAL: _("You ask for something to be done or put right."),
}


class AccessibleForm(forms.Form):
    """Marks fields with errors for assistive technology (aria-invalid, aria-describedby)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.describe_fields()

    def full_clean(self) -> None:
        super().full_clean()
        self.describe_fields()

    def describe_fields(self) -> None:
        # self.errors would validate; before full_clean there are simply none yet.
        errors = getattr(self, "_errors", None) or {}
        for name, field in self.fields.items():
            ids = []
            if field.help_text:
                ids.append(f"{self[name].auto_id}-help")
            if name in errors:
                field.widget.attrs["aria-invalid"] = "true"
                ids.append(f"{self[name].auto_id}-error")
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)


class SubmitForm(AccessibleForm):
    """网上信访: who you are (信访工作条例 art. 19: name, address, contact), what happened and
    what you ask for, where, files, consent. Ordered for a phone screen."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=20,
        help_text=_("18 characters, as on your resident identity card."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        help_text=_("We send the query code and news about your petition to this number."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "type": "tel"}),
    )
    petitioner_address = forms.CharField(
        label=_("Your address"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        max_length=200,
        help_text=_("If you give one, we also send the news by e-mail."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    sms = forms.BooleanField(
        label=_("Send me text messages (SMS) about my petition"), required=False, initial=True
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=60,
        help_text=_("One line: what is it about?"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), empty_label=_("— choose —")
    )
    petition_type = forms.ChoiceField(
        label=_("Type"),
        choices=PetitionType.choices,
        initial=PetitionType.APPEAL,
        widget=forms.RadioSelect,
    )
    division = forms.ModelChoiceField(
        label=_("Where did it happen?"),
        queryset=division_choices(),
        empty_label=_("— choose —"),
        widget=forms.Select(
            attrs={
                "data-division-picker": "1",
                "data-source": reverse_lazy("portal:divisions"),
                "data-town-label": _("Town or street"),
                "data-village-label": _("Village or community"),
            }
        ),
    )
    address = forms.CharField(
        label=_("Address of the place (optional)"), max_length=200, required=False
    )
    content = forms.CharField(
        label=_("Facts and reasons"),
        max_length=5000,
        help_text=_("What happened, when, who is involved, what you have tried already."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    request = forms.CharField(
        label=_("Your request"),
        max_length=2000,
        help_text=_("What do you ask the authorities to do?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
    )
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my personal information is "
            "processed as it describes."
        ),
        error_messages={"required": _("You can submit online only with this consent.")},
    )
    sensitive_consent = forms.BooleanField(
        label=_(
            "I separately agree that my ID number (sensitive personal information) is "
            "processed to confirm who I am."
        ),
        error_messages={"required": _("You can submit online only with this consent.")},
    )

    PERSON = ("name", "id_number", "phone", "petitioner_address", "email", "sms")
    MATTER = (
        "title",
        "category",
        "petition_type",
        "division",
        "address",
        "content",
        "request",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["petition_type"].widget.attrs["data-help"] = "1"
        # Built per request: in the request's language and with the current setting.
        self.fields["attachments"].help_text = _(
            "Up to %(n)d files: PDF, JPG, PNG, MP3, WAV, M4A or AMR, at most %(mb)d MB each."
        ) % {"n": int(conf("MAX_FILES")), "mb": MAX_BYTES // 2**20}
        self.describe_fields()
        self.fields["attachments"].widget.attrs["accept"] = (
            ".pdf,.jpg,.jpeg,.png,.mp3,.wav,.m4a,.amr"
        )

    def person_fields(self) -> list[Any]:
        return [self[n] for n in self.PERSON]

    def matter_fields(self) -> list[Any]:
        return [self[n] for n in self.MATTER]

    def type_help(self) -> list[tuple[str, Any, Any]]:
        return [(t.value, t.label, TYPE_HELP[t]) for t in PetitionType]

    def clean_id_number(self) -> str:
        value = normalise_id_number(self.cleaned_data["id_number"])
        validate_id_number(value)
        return value

    def clean_phone(self) -> str:
        value = normalise_phone(self.cleaned_data["phone"])
        validate_phone(value)
        return value

    def clean_attachments(self) -> list[Any]:
        files = self.cleaned_data.get("attachments") or []
        if len(files) > int(conf("MAX_FILES")):
            raise forms.ValidationError(
                _("Attach at most %(n)d files.") % {"n": int(conf("MAX_FILES"))}
            )
        for upload in files:
            head = upload.read(16)
            upload.seek(0)
            error = check_upload(name=upload.name, head=head, size=upload.size)
            if error:
                raise forms.ValidationError(error)
        return files


class LookupForm(AccessibleForm):
    number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        help_text=_("For example XF530423-2026-000123."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    code = forms.CharField(
        label=_("Query code"),
        max_length=20,
        help_text=_("8 letters and digits, given when the petition was registered."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class RateForm(AccessibleForm):
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the handling and the answer?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(AccessibleForm):
    reason = forms.CharField(
        label=_("Why do you ask for it?"),
        max_length=4000,
        help_text=_("Say which part of the answer you do not accept, and why."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
