from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OrderStatus

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Hotline file (.csv or .xlsx)"),
        help_text=_("Columns as documented; at most 200 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    register_cases = forms.BooleanField(
        label=_("Register the imported orders as cases at once"), required=False, initial=True
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        return upload


class OrderFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", _("All")),
        ("overdue", _("Overdue")),
        (OrderStatus.RECEIVED, _("Not yet registered")),
        (OrderStatus.FAILED, _("Registration refused")),
        (OrderStatus.REGISTERED, _("Registered as a case")),
    ]
    status = forms.ChoiceField(label=_("Show"), choices=STATUS_CHOICES, required=False)
    q = forms.CharField(label=_("Order or case number"), required=False, max_length=40)
