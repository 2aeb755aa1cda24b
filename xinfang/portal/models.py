"""What the citizen portal keeps beside the case it registers: the consent given."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import Case


class Submission(models.Model):
    """A petition submitted online through the citizen portal (网上信访), with the consent
    to the privacy notice the citizen gave (个人信息保护法 arts. 14, 17, 29)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="portal_submission")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    privacy_notice_version = models.CharField(_("privacy notice version"), max_length=20)
    consented_at = models.DateTimeField(_("consent given at"))
    # Separate consent for the ID number, sensitive personal information (PIPL art. 29).
    sensitive_consent = models.BooleanField(_("separate consent for the ID number"))
    language = models.CharField(_("language"), max_length=10)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("online submission")
        verbose_name_plural = _("online submissions")

    def __str__(self) -> str:
        return str(self.case_id)
