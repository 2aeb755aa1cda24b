"""API keys of client systems, and the Open311 side of cases that came in through GeoReport v2."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import Case
from xinfang.core.fields import EncryptedTextField


class Scope(models.TextChoices):
    """What a client system may do with its key."""

    OPEN311 = "open311", _("Open311: submit service requests")
    HOTLINE = "hotline", _("12345 hotline: submit work orders")


class ApiClient(models.Model):
    """A client system (the 12345 platform, a city app, a provincial system) and its API key.

    Only the SHA-256 of the key is stored; the key is shown once, when it is issued
    (``manage.py issue_api_key``). Keys are 256-bit random strings, so a fast hash is enough
    and lookups by hash are safe. ``user`` is the service account the client acts as: the
    services check its capabilities and the audit trail names it."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    key_prefix = models.CharField(_("key prefix"), max_length=12)  # to recognise a key
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("acts as"),
    )
    callback_url = models.URLField(_("status callback URL"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    def allows(self, scope: str) -> bool:
        return self.is_active and scope in (self.scopes or [])


class ServiceRequest(models.Model):
    """A case registered from an Open311 POST, with what the client sent that the case has
    no field for. The case holds the matter and the petitioner (encrypted where personal)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="open311")
    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, related_name="requests", verbose_name=_("client")
    )
    token = models.CharField(max_length=40, unique=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address_string = models.CharField(max_length=250, blank=True)
    address_id = models.CharField(max_length=100, blank=True)
    email = EncryptedTextField(blank=True)  # personal data: never returned by the API
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    media_url = models.URLField(max_length=500, blank=True)  # recorded, never fetched
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Open311 service request")
        verbose_name_plural = _("Open311 service requests")

    def __str__(self) -> str:
        return self.case.number
