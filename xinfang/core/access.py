"""Every view declares who may open it. A test walks the URL conf and fails on any view
that does not (deny by default)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from xinfang.org.permissions import Capability, has_capability

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def requires(capability: Capability | str) -> Callable[[View], View]:
    """Allow the view to users with ``capability``; anonymous users go to the login page.

    ``AUTHENTICATED`` admits any signed-in staff member; object-level checks happen in the
    selectors the view uses.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if capability != AUTHENTICATED and not has_capability(
                request.user, Capability(capability)
            ):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_rule = str(capability)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: View) -> View:
    """Mark a view as open to everyone (login page, citizen portal)."""
    view.access_rule = PUBLIC  # type: ignore[attr-defined]
    return view


def access_rule_of(callback: Callable[..., Any]) -> str | None:
    view_class = getattr(callback, "view_class", None)
    for candidate in (callback, view_class):
        rule = getattr(candidate, "access_rule", None)
        if rule:
            return str(rule)
    return None
