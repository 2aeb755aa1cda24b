"""Second factor (TOTP, RFC 6238) for staff: optional for everyone, required for
administrators (GB/T 22239 level 3). Built on django-otp."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.audit.services import audit_log
from xinfang.org.models import Role

from .access import AUTHENTICATED, requires

# Paths a user who still owes the second factor may open.
EXEMPT_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")


def needs_second_factor(user: Any) -> bool:
    if not user.is_authenticated or user.is_verified():
        return False
    if user.role == Role.ADMIN:
        return True
    return bool(TOTPDevice.objects.devices_for_user(user, confirmed=True).exists())


class SecondFactorMiddleware:
    """After the password, administrators (and staff who enrolled a device) must give a TOTP
    code before they reach any page. Goes after django_otp's OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(EXEMPT_PREFIXES) and needs_second_factor(request.user):
            return redirect(f"/accounts/2fa/?next={request.get_full_path()}")
        return self.get_response(request)


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("6-digit code from your authenticator app"),
        regex=r"^\d{6}$",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


@requires(AUTHENTICATED)
def second_factor(request: HttpRequest) -> HttpResponse:
    """Enrol (first time: show the secret and its QR code) or verify a TOTP code."""
    user: Any = request.user
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_log(actor=user, action="auth.2fa.enrol", obj=user)
            otp_login(request, device)
            audit_log(actor=user, action="auth.2fa.verify", obj=user)
            messages.success(request, _("Second factor verified."))
            target = request.GET.get("next", "/")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target)
        audit_log(actor=user, action="auth.2fa.failed", obj=user)
        form.add_error("token", _("The code is wrong or has expired."))
    context: dict[str, Any] = {"form": form, "enrolling": enrolling}
    if enrolling:
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        context.update({"secret": secret, "qr": _qr_svg(device.config_url)})
    return render(
        request, "registration/second_factor.html", context, status=400 if form.errors else 200
    )
