"""One endpoint per staff action of the case lifecycle: POST /api/v1/cases/<id>/<action>/.

Each calls its service in xinfang.cases.services, which checks the right, the state machine
and the version again, and audits. The view checks the capability the service needs first
(so a role without it gets 403 whatever the body), then the case (404 if not visible), then
the body (400), then the service decides (400/403/409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from xinfang.cases import services as s
from xinfang.cases.models import Case
from xinfang.cases.transitions import ACTION_LABELS, Action
from xinfang.org.permissions import Capability

from .base import ApiView, detail_data, get_visible_case, visible_cases
from .errors import errors
from .presenters import ACTION_SLUGS
from .serializers import (
    AnswerSerializer,
    CaseDetailSerializer,
    DivertSerializer,
    EvaluateSerializer,
    ExtendSerializer,
    JointSerializer,
    MergeSerializer,
    ReasonSerializer,
    RereviewDecisionSerializer,
    ReworkSerializer,
    RouteSerializer,
    VersionSerializer,
)

Run = Callable[[Any, Case, dict[str, Any]], Case]


@dataclass(frozen=True)
class ActionSpec:
    action: Action
    capability: Capability  # the one the service requires first (VIEW_CASES: it depends)
    serializer: type[serializers.Serializer[Any]]
    service: Callable[..., Case]
    run: Run
    example: dict[str, Any] = field(default_factory=dict)  # a request body, for the docs


def _v(d: dict[str, Any]) -> int | None:
    return d.get("version")


SPECS: list[ActionSpec] = [
    ActionSpec(
        Action.ROUTE,
        Capability.ROUTE_CASE,
        RouteSerializer,
        s.case_route,
        lambda u, c, d: s.case_route(
            actor=u, case=c, unit=d["unit"], co_units=d.get("co_units", []), expected_version=_v(d)
        ),
        {"unit": "zjj", "co_units": []},
    ),
    ActionSpec(
        Action.JOINT,
        Capability.ROUTE_CASE,
        JointSerializer,
        s.case_set_joint_handling,
        lambda u, c, d: s.case_set_joint_handling(
            actor=u, case=c, lead=d["lead"], co_units=d["co_units"], expected_version=_v(d)
        ),
        {"lead": "zjj", "co_units": ["rsj"]},
    ),
    ActionSpec(
        Action.RETURN,
        Capability.HANDLE_CASE,
        ReasonSerializer,
        s.case_return,
        lambda u, c, d: s.case_return(actor=u, case=c, reason=d["reason"], expected_version=_v(d)),
        {"reason": "不属于本单位职责，应由县人社局办理。"},
    ),
    ActionSpec(
        Action.ACCEPT,
        Capability.HANDLE_CASE,
        VersionSerializer,
        s.case_accept,
        lambda u, c, d: s.case_accept(actor=u, case=c, expected_version=_v(d)),
        {"version": 2},
    ),
    ActionSpec(
        # The handling unit decides on a routed case, the bureau on one not yet routed: the
        # service checks which applies.
        Action.NOT_ACCEPT,
        Capability.VIEW_CASES,
        ReasonSerializer,
        s.case_not_accept,
        lambda u, c, d: s.case_not_accept(
            actor=u, case=c, reason=d["reason"], expected_version=_v(d)
        ),
        {"reason": "该事项已进入诉讼程序。"},
    ),
    ActionSpec(
        Action.DIVERT,
        Capability.ROUTE_CASE,
        DivertSerializer,
        s.case_divert,
        lambda u, c, d: s.case_divert(
            actor=u, case=c, to=d["to"], reason=d["reason"], expected_version=_v(d)
        ),
        {"to": "litigation", "reason": "属民事合同纠纷，请向人民法院起诉。"},
    ),
    ActionSpec(
        Action.MERGE,
        Capability.ROUTE_CASE,
        MergeSerializer,
        s.case_merge,
        lambda u, c, d: s.case_merge(actor=u, case=c, into=d["into"], expected_version=_v(d)),
        {"into": 1},
    ),
    ActionSpec(
        Action.EXTEND,
        Capability.APPROVE_EXTENSION,
        ExtendSerializer,
        s.case_extend,
        lambda u, c, d: s.case_extend(
            actor=u, case=c, days=d["days"], reason=d["reason"], expected_version=_v(d)
        ),
        {"days": 30, "reason": "需委托第三方进行房屋安全鉴定。"},
    ),
    ActionSpec(
        Action.REPLY,
        Capability.HANDLE_CASE,
        AnswerSerializer,
        s.case_reply,
        lambda u, c, d: s.case_reply(
            actor=u, case=c, outcome=d["outcome"], text=d["text"], expected_version=_v(d)
        ),
        {
            "outcome": "supported",
            "text": "经查，楼顶防水层老化属实，已责成物业公司于4月底前完成维修。",
        },
    ),
    ActionSpec(
        Action.EVALUATE,
        Capability.REGISTER_CASE,
        EvaluateSerializer,
        s.case_evaluate,
        lambda u, c, d: s.case_evaluate(
            actor=u,
            case=c,
            rating=d["rating"],
            comment=d.get("comment", ""),
            expected_version=_v(d),
        ),
        {"rating": "satisfied", "comment": "已修好"},
    ),
    ActionSpec(
        Action.REQUEST_REVIEW,
        Capability.REGISTER_CASE,
        ReasonSerializer,
        s.case_request_review,
        lambda u, c, d: s.case_request_review(
            actor=u, case=c, reason=d["reason"], expected_version=_v(d)
        ),
        {"reason": "维修后仍然漏水。"},
    ),
    ActionSpec(
        Action.DECIDE_REVIEW,
        Capability.DECIDE_REVIEW,
        AnswerSerializer,
        s.case_decide_review,
        lambda u, c, d: s.case_decide_review(
            actor=u, case=c, outcome=d["outcome"], text=d["text"], expected_version=_v(d)
        ),
        {"outcome": "explained", "text": "经复查，原处理意见事实清楚，已向信访人解释说明。"},
    ),
    ActionSpec(
        Action.REQUEST_REREVIEW,
        Capability.REGISTER_CASE,
        ReasonSerializer,
        s.case_request_rereview,
        lambda u, c, d: s.case_request_rereview(
            actor=u, case=c, reason=d["reason"], expected_version=_v(d)
        ),
        {"reason": "对复查意见不服。"},
    ),
    ActionSpec(
        Action.DECIDE_REREVIEW,
        Capability.DECIDE_REVIEW,
        RereviewDecisionSerializer,
        s.case_decide_rereview,
        lambda u, c, d: s.case_decide_rereview(
            actor=u,
            case=c,
            outcome=d["outcome"],
            text=d["text"],
            hearing_days=d["hearing_days"],
            expected_version=_v(d),
        ),
        {"outcome": "explained", "text": "经复核，维持复查意见，本事项终结。", "hearing_days": 0},
    ),
    ActionSpec(
        Action.CLOSE,
        Capability.ROUTE_CASE,
        VersionSerializer,
        s.case_close,
        lambda u, c, d: s.case_close(actor=u, case=c, expected_version=_v(d)),
        {},
    ),
]


# 返工 (DOMAIN.md §4): a failed quality inspection or follow-up call sends an answered case back
# to its unit. The action arrives with the supervision area's change to the lifecycle; the
# endpoint exists exactly when the action does (test_schema checks every action has one).
# getattr: typed and importable with and without the action.
REWORK: Action | None = getattr(Action, "REWORK", None)
_case_rework: Callable[..., Case] | None = getattr(s, "case_reopen_for_rework", None)
if REWORK is not None and _case_rework is not None:
    rework = _case_rework
    SPECS.append(
        ActionSpec(
            REWORK,
            # Inspectors or supervisors: the service checks which (one of two capabilities).
            Capability.VIEW_CASES,
            ReworkSerializer,
            rework,
            lambda u, c, d: rework(
                actor=u, case=c, reason=d["reason"], due_on=d["due_on"], expected_version=_v(d)
            ),
            {"reason": "答复未逐项回应信访人诉求，质检不合格。", "due_on": "2026-04-30"},
        )
    )


class CaseActionView(ApiView):
    """GET and other methods need VIEW_CASES (and answer 405); POST needs the action's
    capability."""

    access_rule = Capability.VIEW_CASES
    spec: ClassVar[ActionSpec]

    def take(self, request: Request, pk: int) -> Response:
        case = get_visible_case(request, pk)
        serializer = self.spec.serializer(
            data=request.data, context={"visible_cases": visible_cases(request)}
        )
        serializer.is_valid(raise_exception=True)
        case = self.spec.run(request.user, case, dict(serializer.validated_data))
        if not visible_cases(request).filter(pk=case.pk).exists():
            # e.g. a unit that returned a case no longer sees it
            return Response(status=204)
        return Response(detail_data(request, case))


def _view_for(spec: ActionSpec) -> type[CaseActionView]:
    slug = ACTION_SLUGS[spec.action]

    @extend_schema(
        operation_id=f"cases_{spec.action.value}",
        summary=ACTION_LABELS[spec.action],
        description=(spec.service.__doc__ or "").strip()
        + f"\n\nNeeds the capability '{spec.capability.value}'.",
        request=spec.serializer,
        examples=[OpenApiExample("example", value=spec.example, request_only=True)],
        responses={
            200: CaseDetailSerializer,
            204: OpenApiResponse(description="Done; the case has left the user's view."),
            **errors(400, 401, 403, 404, 409, 415),
        },
        tags=["case actions"],
    )
    def post(self: CaseActionView, request: Request, pk: int) -> Response:
        return self.take(request, pk)

    name = "Case" + "".join(part.title() for part in slug.split("-")) + "View"
    return type(
        name,
        (CaseActionView,),
        {"spec": spec, "post_rule": spec.capability, "post": post, "__module__": __name__},
    )


ACTION_VIEWS: dict[str, type[CaseActionView]] = {
    ACTION_SLUGS[spec.action]: _view_for(spec) for spec in SPECS
}
