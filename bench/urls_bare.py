from django.http import HttpRequest, HttpResponse
from django.urls import path


def bare_ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare_ok)]
