"""The base of every API view: declared access rule, JSON errors, session or token."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from xinfang.cases.models import Attachment, Case, CaseDocument, PetitionType, Review, Status
from xinfang.cases.selectors import cases_visible_to
from xinfang.org.models import Unit

from .errors import exception_handler
from .permissions import DeclaredCapability
from .presenters import may_see_personal_data, record_personal_data_view
from .serializers import CaseDetailSerializer


class ApiView(APIView):
    """``access_rule`` (a Capability, AUTHENTICATED or PUBLIC) guards GET and any method
    without its own rule, and is what the URL x role access matrix reads; ``post_rule``
    guards POST when writing needs more than reading."""

    access_rule: ClassVar[str]
    post_rule: ClassVar[str | None] = None
    permission_classes = [DeclaredCapability]

    def get_exception_handler(self) -> Any:
        return exception_handler


class Pagination(PageNumberPagination):
    """?page=N&page_size=M (1-100, default 30). A wrong page size is an error, not silently
    the default; a page beyond the last answers 404."""

    page_size = 30
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= self.max_page_size:
            message = _("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [ErrorDetail(message, "invalid")]})
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class FirstRendererNegotiation(BaseContentNegotiation):
    """For file downloads: the file's own type, or JSON for an error, whatever Accept says."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0]

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


def visible_cases(request: Request) -> QuerySet[Case]:
    """The only way the API reaches cases (xinfang.cases.selectors)."""
    return cases_visible_to(request.user)  # type: ignore[arg-type]


def get_visible_case(request: Request, pk: int) -> Case:
    """The case if the user may see it; 404 otherwise (never 403: no hint that it exists)."""
    return get_object_or_404(visible_cases(request), pk=pk)


CASE_RELATIONS = ("petitioners", "co_units", "accused_units", "reviews", "documents", "attachments")


def detail_data(request: Request, case: Case) -> Any:
    """The case as the user may see it. Unmasked personal data is recorded in the audit trail,
    as on the case page."""
    case = visible_cases(request).prefetch_related(*CASE_RELATIONS).get(pk=case.pk)
    personal = may_see_personal_data(request.user)
    if personal:
        record_personal_data_view(request.user, case)
    return CaseDetailSerializer(case, context={"request": request, "personal": personal}).data


def registered_data(request: Request, case: Case) -> Any:
    """The answer to the one who just registered ``case``: what they sent, with its number,
    query code, deadlines and next actions. Not a read of stored personal data (the
    registration itself is audited), so not audited again. When the case is out of the
    registrant's sight from now on (an accusation against their own unit), it offers no
    actions: any further request about it answers 404.

    What registration cannot have written is not read back: a new case has no co-units,
    reviews or attachments, accused units only when it is an accusation
    (``case_register`` refuses them otherwise) and a document only when it was not accepted
    (the notice of non-acceptance). The empty querysets cost no SQL."""
    prefetch_related_objects(
        [case],
        "petitioners",
        Prefetch("co_units", queryset=Unit.objects.none()),
        Prefetch("reviews", queryset=Review.objects.none()),
        Prefetch("attachments", queryset=Attachment.objects.none()),
        "accused_units"
        if case.petition_type == PetitionType.ACCUSATION
        else Prefetch("accused_units", queryset=Unit.objects.none()),
        "documents"
        if case.status == Status.NOT_ACCEPTED
        else Prefetch("documents", queryset=CaseDocument.objects.none()),
    )
    visible = visible_cases(request).filter(pk=case.pk).exists()
    return CaseDetailSerializer(
        case,
        context={
            "request": request,
            "personal": may_see_personal_data(request.user),
            "actions": None if visible else [],
        },
    ).data
