"""The site's URLs plus /bench/bare/ (served only by bench.settings, never by config.urls)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from xinfang.core.access import public


@public
def bare_ok(request: HttpRequest) -> HttpResponse:
    """Framework ceiling: no template, no database query of its own, the full middleware."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare_ok), *site_urlpatterns]
