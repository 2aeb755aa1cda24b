from django.urls import path, register_converter

from . import views


class FormatConverter:
    """The GeoReport v2 format suffix (.json or .xml)."""

    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311fmt")

app_name = "open311"
urlpatterns = [
    path("discovery.<open311fmt:fmt>", views.discovery, name="discovery"),
    path("services.<open311fmt:fmt>", views.service_list, name="services"),
    path(
        "services/<slug:service_code>.<open311fmt:fmt>",
        views.service_definition,
        name="service_definition",
    ),
    path("requests.<open311fmt:fmt>", views.requests, name="requests"),
    path(
        "requests/<slug:service_request_id>.<open311fmt:fmt>",
        views.request_detail,
        name="request",
    ),
    path("tokens/<slug:token>.<open311fmt:fmt>", views.token, name="token"),
]
