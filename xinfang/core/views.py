from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.i18n import set_language as django_set_language

from xinfang.org.permissions import capabilities_of

from .access import AUTHENTICATED, public, requires


@requires(AUTHENTICATED)
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home page (role-specific panels in the template)."""
    user = request.user
    return render(
        request,
        "core/home.html",
        {
            "role": user.get_role_display(),  # type: ignore[union-attr]
            "role_code": user.role,  # type: ignore[union-attr]
            "capabilities": sorted(capabilities_of(user)),
            "notifications": user.notifications.filter(read_at__isnull=True)[:10],  # type: ignore[union-attr]
        },
    )


@public
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


set_language = public(django_set_language)
login = public(auth_views.LoginView.as_view())
logout = public(auth_views.LogoutView.as_view())
password_change = requires(AUTHENTICATED)(auth_views.PasswordChangeView.as_view())
password_change_done = requires(AUTHENTICATED)(auth_views.PasswordChangeDoneView.as_view())
