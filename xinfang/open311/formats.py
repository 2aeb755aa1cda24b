"""GeoReport v2 output in XML and JSON (the JSON follows the XML by the Spark convention:
a repeated element becomes an array). UTF-8 everywhere, with the XML declaration."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 (we only build XML, never parse it)

from django.http import HttpResponse

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# Element name of the members of each list (GeoReport v2 examples).
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, payload: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, payload)
    body = ET.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def render(payload: Any, *, root: str, fmt: str, status: int = 200) -> HttpResponse:
    """``root`` is the XML root element (services, service_requests, service_definition,
    discovery, errors); JSON has no root: lists stay lists, objects stay objects."""
    if fmt == "xml":
        body = to_xml(root, payload)
    else:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error(status: int, description: str, *, fmt: str) -> HttpResponse:
    """GeoReport v2 errors: 404 for what does not exist, 403 for a missing or wrong
    api_key, 400 for anything else; the body's code is the HTTP status."""
    return render(
        [{"code": status, "description": description}], root="errors", fmt=fmt, status=status
    )
