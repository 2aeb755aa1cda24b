"""REST API v1: cases (list, register, detail, files) and reference data. The case actions
are in actions.py; the schema and its documentation page at the end of this module."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework import generics, serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from xinfang.audit.services import audit_log
from xinfang.cases import services
from xinfang.cases.attachments import ALLOWED
from xinfang.cases.models import Category
from xinfang.core.access import AUTHENTICATED, PUBLIC, public
from xinfang.org.models import Division, Unit
from xinfang.org.permissions import Capability, capabilities_of

from .base import (
    ApiView,
    FirstRendererNegotiation,
    Pagination,
    detail_data,
    get_visible_case,
    registered_data,
    visible_cases,
)
from .errors import error_body, errors
from .intake import Person, intake_advice
from .permissions import DeclaredCapability
from .selectors import filter_cases
from .serializers import (
    CaseDetailSerializer,
    CaseFilterSerializer,
    CaseSummarySerializer,
    CategorySerializer,
    DivisionSerializer,
    IntakeAdviceSerializer,
    IntakeCheckSerializer,
    MeSerializer,
    QueryParametersSerializer,
    RegisteredCaseSerializer,
    RegisterSerializer,
    UnitSerializer,
)


class CaseListView(ApiView, generics.GenericAPIView[Any]):
    """Cases: list (GET) and registration (POST)."""

    access_rule = Capability.VIEW_CASES
    post_rule = Capability.REGISTER_CASE
    serializer_class = CaseSummarySerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="cases_list",
        summary="List cases",
        description="The cases the user may see (same rule as the web list), newest first.",
        parameters=[CaseFilterSerializer],
        responses={200: CaseSummarySerializer(many=True), **errors(400, 401, 403, 404)},
        tags=["cases"],
    )
    def get(self, request: Request) -> Response:
        filters = CaseFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        cases = filter_cases(
            visible_cases(request), filters.validated_data, today=timezone.localdate()
        )
        page = self.paginate_queryset(cases)
        return self.get_paginated_response(CaseSummarySerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_register",
        summary="Register a case (登记)",
        description=(services.case_register.__doc__ or "")
        + "\n\nThe answer is the registered case plus 'intake': the likely categories with "
        "their usual unit and the earlier cases of the same person or matter (重复信访), so one "
        "request registers and advises. Link a known repeat with 'repeat_of', or merge it "
        "afterwards (POST .../merge/).",
        request=RegisterSerializer,
        examples=[
            OpenApiExample(
                "a letter about unpaid wages",
                value={
                    "channel": "letter",
                    "petition_type": "appeal",
                    "category": "labour",
                    "title": "工地拖欠农民工工资",
                    "content": "在杨广镇某工地务工三个月，工资至今未结清。",
                    "request": "要求结清工资",
                    "division": "530423101",
                    "petitioners": [
                        {"name": "李四", "id_number": "53042319850505123X", "phone": "13900002222"}
                    ],
                },
                request_only=True,
            )
        ],
        responses={201: RegisteredCaseSerializer, **errors(400, 401, 403, 415)},
        tags=["cases"],
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(
            data=request.data, context={"visible_cases": visible_cases(request)}
        )
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        case = services.case_register(
            actor=request.user,  # type: ignore[arg-type]
            channel=d["channel"],
            petition_type=d["petition_type"],
            category=d["category"],
            title=d["title"],
            content=d["content"],
            request=d.get("request", ""),
            division=d["division"],
            address=d.get("address", ""),
            received_on=d.get("received_on"),
            deadline_assigned=d.get("deadline_assigned"),
            is_collective=d["is_collective"],
            people_count=d["people_count"],
            accused_units=d.get("accused_units", []),
            accused_persons=d.get("accused_persons", ""),
            petitioners=[services.PetitionerData(**p) for p in d["petitioners"]],
            repeat_of=d.get("repeat_of"),
        )
        advice = intake_advice(
            user=request.user,
            title=d["title"],
            content=d["content"],
            people=_people(d["petitioners"]),
            division=d["division"],
            exclude=case,
        )
        return Response(
            {**registered_data(request, case), "intake": IntakeAdviceSerializer(advice).data},
            status=201,
            headers={"Location": reverse("api:case-detail", kwargs={"pk": case.pk})},
        )


def _people(petitioners: list[dict[str, Any]]) -> list[Person]:
    return [
        Person(name=p["name"], id_number=p.get("id_number", ""), phone=p.get("phone", ""))
        for p in petitioners
    ]


class IntakeCheckView(ApiView):
    """The intake advice without registering (the registration page's check before saving)."""

    access_rule = Capability.REGISTER_CASE

    @extend_schema(
        operation_id="intake_check",
        summary="Check a petition before registering: suggestions and earlier cases",
        description=(intake_advice.__doc__ or "")
        + " Registering through POST /api/v1/cases/ gives the same advice in its answer, so "
        "one request is enough; this is for a client that wants to look first.",
        request=IntakeCheckSerializer,
        responses={200: IntakeAdviceSerializer, **errors(400, 401, 403, 415)},
        tags=["cases"],
    )
    def post(self, request: Request) -> Response:
        serializer = IntakeCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        advice = intake_advice(
            user=request.user,
            title=d["title"],
            content=d["content"],
            people=_people(d.get("petitioners", [])),
            division=d.get("division"),
        )
        return Response(IntakeAdviceSerializer(advice).data)


class CaseDetailView(ApiView):
    """One case."""

    access_rule = Capability.VIEW_CASES

    @extend_schema(
        operation_id="cases_retrieve",
        summary="A case with timeline, deadlines, documents and allowed actions",
        description="Petitioners' names, ID and phone numbers are masked unless the role may "
        "see personal data; an unmasked read is recorded in the audit trail.",
        responses={200: CaseDetailSerializer, **errors(401, 403, 404)},
        tags=["cases"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(detail_data(request, get_visible_case(request, pk)))


class FileRenderer(BaseRenderer):
    """Stands for the file types a download may have; the view answers a FileResponse."""

    media_type = "application/octet-stream"
    format = "file"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


def _binary(*media_types: str) -> dict[Any, Any]:
    return {(200, media): OpenApiTypes.BINARY for media in media_types}


class CaseDocumentView(ApiView):
    """A generated formal document (PDF) of a case the user may see; downloads are audited."""

    access_rule = Capability.VIEW_CASES
    renderer_classes = [JSONRenderer, FileRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        operation_id="cases_document",
        summary="A formal document of the case (PDF)",
        responses={**_binary("application/pdf"), **errors(401, 403, 404)},
        tags=["cases"],
    )
    def get(self, request: Request, pk: int, doc_pk: int) -> FileResponse:
        case = get_visible_case(request, pk)
        document = get_object_or_404(case.documents, pk=doc_pk)
        audit_log(actor=request.user, action="case.document.download", obj=document)  # type: ignore[arg-type]
        return FileResponse(
            document.file.open("rb"),
            as_attachment=False,
            filename=f"{document.number}.pdf",
            content_type="application/pdf",
        )


class CaseAttachmentView(ApiView):
    """A file added to a case the user may see; downloads are audited."""

    access_rule = Capability.VIEW_CASES
    renderer_classes = [JSONRenderer, FileRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        operation_id="cases_attachment",
        summary="A file added to the case (letter scan, photo, recording)",
        responses={
            **_binary(*sorted({content_type for _k, content_type, _m in ALLOWED.values()})),
            **errors(401, 403, 404),
        },
        tags=["cases"],
    )
    def get(self, request: Request, pk: int, att_pk: int) -> FileResponse:
        case = get_visible_case(request, pk)
        attachment = get_object_or_404(case.attachments, pk=att_pk)
        audit_log(actor=request.user, action="case.attachment.download", obj=attachment)  # type: ignore[arg-type]
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


# --- reference data --------------------------------------------------------------------------


class MeView(ApiView):
    """The account behind the credentials, its role, unit and capabilities."""

    access_rule = AUTHENTICATED

    @extend_schema(
        operation_id="me",
        summary="Who the credentials belong to, and what they may do",
        responses={200: MeSerializer, **errors(401)},
        tags=["reference"],
    )
    def get(self, request: Request) -> Response:
        user: Any = request.user
        return Response(
            MeSerializer(
                {
                    "username": user.username,
                    "full_name": user.display_name,
                    "role": user.role,
                    "unit": user.unit,
                    "capabilities": sorted(capabilities_of(user)),
                }
            ).data
        )


class UnitListView(ApiView):
    """All units, with the codes used to route and to filter."""

    access_rule = AUTHENTICATED

    @extend_schema(
        operation_id="units_list",
        summary="Units (codes for routing and filters)",
        responses={200: UnitSerializer(many=True), **errors(401)},
        tags=["reference"],
    )
    def get(self, request: Request) -> Response:
        units = Unit.objects.select_related("parent", "division").order_by("kind", "code")
        return Response(UnitSerializer(units, many=True).data)


class CategoryListView(ApiView):
    """Subject categories, with the unit that usually handles each."""

    access_rule = AUTHENTICATED

    @extend_schema(
        operation_id="categories_list",
        summary="Subject categories",
        responses={200: CategorySerializer(many=True), **errors(401)},
        tags=["reference"],
    )
    def get(self, request: Request) -> Response:
        categories = Category.objects.select_related("default_unit").order_by("code")
        return Response(CategorySerializer(categories, many=True).data)


class DivisionFilterSerializer(QueryParametersSerializer):
    parent = serializers.SlugRelatedField(  # type: ignore[assignment]  # a field
        slug_field="code", queryset=Division.objects.all(), required=False
    )
    level = serializers.ChoiceField(choices=Division.Level.choices, required=False)


class DivisionListView(ApiView, generics.GenericAPIView[Any]):
    """Administrative divisions (GB/T 2260 codes), paginated; filter by parent or level."""

    access_rule = AUTHENTICATED
    serializer_class = DivisionSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="divisions_list",
        summary="Administrative divisions (towns: level=township)",
        parameters=[DivisionFilterSerializer],
        responses={200: DivisionSerializer(many=True), **errors(400, 401, 404)},
        tags=["reference"],
    )
    def get(self, request: Request) -> Response:
        filters = DivisionFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        divisions = Division.objects.select_related("parent").order_by("code")
        if filters.validated_data.get("parent"):
            divisions = divisions.filter(parent=filters.validated_data["parent"])
        if filters.validated_data.get("level"):
            divisions = divisions.filter(level=filters.validated_data["level"])
        page = self.paginate_queryset(divisions)
        return self.get_paginated_response(DivisionSerializer(page, many=True).data)


# --- the schema and its documentation page -----------------------------------------------------


class SchemaView(SpectacularJSONAPIView):
    """OpenAPI 3 description of this API, open to all: it documents, it grants nothing."""

    access_rule = PUBLIC
    authentication_classes: list[Any] = []  # public: a wrong token does not matter
    permission_classes = [DeclaredCapability]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI served from this site's static files (drf-spectacular-sidecar), its start
    script as a separate file, so the Content Security Policy needs no exception."""

    access_rule = PUBLIC
    authentication_classes: list[Any] = []  # public: a wrong token does not matter
    permission_classes = [DeclaredCapability]
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


@public
@csrf_exempt
def not_found(request: HttpRequest, **kwargs: Any) -> JsonResponse:
    """Unknown paths under /api/ answer JSON too."""
    message = _("Not found.")
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            message = _("Not found. Did you mean %(path)s?") % {"path": request.path + "/"}
    return JsonResponse(error_body("not_found", message), status=404)
