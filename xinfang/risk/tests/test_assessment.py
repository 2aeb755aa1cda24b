"""Social-stability risk assessment of major matters: plan, views heard, risks identified,
level, mitigation, report (PDF), decision bound by the level, follow-up."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from xinfang.audit.models import AuditRecord
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.disputes.models import RiskLevel
from xinfang.org.models import Division, Unit
from xinfang.risk import services
from xinfang.risk.models import (
    AssessmentDocument,
    AssessmentKind,
    AssessmentStatus,
    Decision,
    OpinionCollection,
)

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def start(staff, kind=AssessmentKind.PROJECT, actor="mediator"):
    return services.assessment_create(
        actor=staff[actor],
        title="城区垃圾中转站选址建设",
        kind=kind,
        description="拟在秀山街道新建垃圾中转站一座。",
        division=Division.objects.get(code="530423001"),
        proposing_unit=Unit.objects.get(code="zjj"),
        plan="入户走访周边住户，召开听证会，征求专家意见。",
    )


def heard(staff, a, support, objection, strong, actor="mediator"):
    return services.opinion_add(
        actor=staff[actor],
        assessment=a,
        method="hearing",
        held_on=timezone.localdate(),
        support=support,
        objection=objection,
        strong_opposition=strong,
        summary="周边住户担心异味和噪声。",
    )


def to_analysis(staff, a, support=80, objection=15, strong=5):
    services.consultation_start(actor=staff["mediator"], assessment=a)
    heard(staff, a, support, objection, strong)
    return services.analysis_start(actor=staff["mediator"], assessment=a)


def graded(staff, level, kind=AssessmentKind.PROJECT, views=(80, 15, 5)):
    a = to_analysis(staff, start(staff, kind), *views)
    services.risk_add(
        actor=staff["mediator"],
        assessment=a,
        aspect="controllability",
        description="施工期间可能引发周边住户聚集。",
        level=RiskLevel.LOW,
        mitigation="施工前公示并设立联络员。",
    )
    a = services.assessment_grade(
        actor=staff["mediator"],
        assessment=a,
        level=level,
        mitigation="加装除臭设施，设立投诉热线。",
        reason="" if level != RiskLevel.LOW else "多数住户支持。",
    )
    services.report_issue(actor=staff["mediator"], assessment=a)
    a.refresh_from_db()
    return a


@pytest.mark.parametrize(
    ("support", "objection", "strong", "level"),
    [
        (20, 10, 70, RiskLevel.HIGH),  # most strongly oppose
        (50, 20, 30, RiskLevel.MEDIUM),  # part strongly oppose
        (45, 50, 5, RiskLevel.MEDIUM),  # supporters not a majority
        (85, 10, 5, RiskLevel.LOW),  # most support, a few object
        (90, 0, 10, RiskLevel.MEDIUM),  # 10 % strong opposition reaches medium
    ],
)
def test_level_the_views_point_to(support, objection, strong, level):
    o = OpinionCollection(support=support, objection=objection, strong_opposition=strong)
    assert services.level_from_views([o]) == level


@override_settings(XINFANG_DISPUTES={"OPPOSE_HIGH_PERCENT": 20, "OPPOSE_MEDIUM_PERCENT": 5})
def test_thresholds_are_settings():
    o = OpinionCollection(support=70, objection=5, strong_opposition=25)
    assert services.level_from_views([o]) == RiskLevel.HIGH


@pytest.mark.parametrize(
    ("kind", "level", "allowed"),
    [
        ("project", "high", {Decision.NOT_DECIDED, Decision.PLAN_CHANGED}),
        (
            "project",
            "medium",
            {Decision.WITH_MITIGATION, Decision.NOT_DECIDED, Decision.PLAN_CHANGED},
        ),
        (
            "project",
            "low",
            {
                Decision.APPROVED,
                Decision.WITH_MITIGATION,
                Decision.NOT_DECIDED,
                Decision.PLAN_CHANGED,
            },
        ),
        ("investment", "high", {Decision.NOT_APPROVED, Decision.PLAN_CHANGED}),
        ("investment", "medium", {Decision.NOT_APPROVED, Decision.PLAN_CHANGED}),
        ("investment", "low", {Decision.APPROVED, Decision.WITH_MITIGATION, Decision.NOT_APPROVED}),
    ],
)
def test_what_each_level_allows(kind, level, allowed):
    assert set(services.allowed_decisions(kind, level)) == allowed


def test_the_workflow_in_order_with_the_report_as_pdf(staff):
    a = start(staff)
    assert a.status == AssessmentStatus.PLANNING
    assert a.number.startswith("WP")
    with pytest.raises(DomainError) as exc:
        heard(staff, a, 1, 0, 0)  # views are heard once consultation starts
    assert exc.value.code == "illegal_transition"
    services.consultation_start(actor=staff["mediator"], assessment=a)
    with pytest.raises(DomainError) as exc:
        services.analysis_start(actor=staff["mediator"], assessment=a)
    assert exc.value.code == "no_opinions"
    heard(staff, a, 60, 25, 15)
    services.analysis_start(actor=staff["mediator"], assessment=a)
    with pytest.raises(DomainError) as exc:
        services.report_issue(actor=staff["mediator"], assessment=a)
    assert exc.value.code == "not_graded"
    services.risk_add(
        actor=staff["mediator"],
        assessment=a,
        aspect="reasonableness",
        description="中转站距居民区较近，异味扰民。",
        level=RiskLevel.MEDIUM,
        mitigation="加装除臭设施。",
        responsible_unit=Unit.objects.get(code="zjj"),
    )
    with pytest.raises(DomainError) as exc:
        services.assessment_grade(
            actor=staff["mediator"], assessment=a, level=RiskLevel.MEDIUM, mitigation=""
        )
    assert exc.value.code == "mitigation_required"
    a = services.assessment_grade(
        actor=staff["mediator"],
        assessment=a,
        level=RiskLevel.MEDIUM,
        mitigation="加装除臭设施，设立群众监督员。",
    )
    doc = services.report_issue(actor=staff["mediator"], assessment=a)
    a.refresh_from_db()
    assert a.status == AssessmentStatus.REPORTED
    assert doc.kind == AssessmentDocument.Kind.REPORT
    with doc.file.open("rb") as fh:
        text = pdf_text(fh.read())
    for expected in (
        "社会稳定风险评估报告",
        a.number,
        "城区垃圾中转站选址建设",
        "听取意见情况",
        "共听取100人次意见",
        "强烈反对15人次（15.0%）",
        "中转站距居民区较近",
        "综合评定风险等级：中风险",
        "加装除臭设施，设立群众监督员",
        "建议在落实风险防范化解措施后再作出决策",
    ):
        assert expected in text, expected

    with pytest.raises(DomainError) as exc:
        services.decision_record(
            actor=staff["mediator"], assessment=a, decision=Decision.APPROVED, decided_by="县政府"
        )
    assert exc.value.code == "decision_not_allowed"
    a = services.decision_record(
        actor=staff["mediator"],
        assessment=a,
        decision=Decision.WITH_MITIGATION,
        decided_by="县人民政府常务会议",
    )
    assert a.status == AssessmentStatus.DECIDED
    services.follow_up_add(
        actor=staff["mediator"], assessment=a, note="开工后未出现群体性上访。", new_risk=False
    )
    a = services.assessment_close(actor=staff["mediator"], assessment=a)
    assert a.status == AssessmentStatus.CLOSED
    steps = list(
        AuditRecord.objects.filter(object_type="risk.riskassessment", object_id=str(a.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert steps == [
        "risk.assessment.create",
        "risk.assessment.consult",
        "risk.assessment.opinion",
        "risk.assessment.analyse",
        "risk.assessment.risk",
        "risk.assessment.grade",
        "risk.assessment.report",
        "risk.assessment.decide",
        "risk.assessment.follow_up",
        "risk.assessment.close",
    ]


def test_high_risk_cannot_be_decided_and_changing_the_plan_reassesses(staff):
    a = graded(staff, RiskLevel.HIGH, views=(20, 10, 70))
    assert "建议不作出决策，或者调整方案" in a.conclusion
    for decision in (Decision.APPROVED, Decision.WITH_MITIGATION):
        with pytest.raises(DomainError):
            services.decision_record(
                actor=staff["mediator"], assessment=a, decision=decision, decided_by="县政府"
            )
    a = services.decision_record(
        actor=staff["mediator"],
        assessment=a,
        decision=Decision.PLAN_CHANGED,
        decided_by="县政府",
        note="另行选址，远离居民区。",
    )
    assert (a.status, a.revision, a.risk_level) == (AssessmentStatus.PLANNING, 2, "")
    # The new revision is heard afresh: the old views do not count for it.
    services.consultation_start(actor=staff["mediator"], assessment=a)
    with pytest.raises(DomainError) as exc:
        services.analysis_start(actor=staff["mediator"], assessment=a)
    assert exc.value.code == "no_opinions"


def test_investment_projects_at_medium_risk_are_not_approved(staff):
    a = graded(staff, RiskLevel.MEDIUM, kind=AssessmentKind.INVESTMENT, views=(50, 30, 20))
    assert "不予审批、核准" in a.conclusion
    with pytest.raises(DomainError):
        services.decision_record(
            actor=staff["mediator"],
            assessment=a,
            decision=Decision.WITH_MITIGATION,
            decided_by="县发改局",
        )
    a = services.decision_record(
        actor=staff["mediator"], assessment=a, decision=Decision.NOT_APPROVED, decided_by="县发改局"
    )
    assert a.decision == Decision.NOT_APPROVED


def test_low_risk_is_decided_with_an_explanation(staff):
    a = graded(staff, RiskLevel.LOW)
    with pytest.raises(DomainError) as exc:
        services.decision_record(
            actor=staff["mediator"], assessment=a, decision=Decision.APPROVED, decided_by="县政府"
        )
    assert exc.value.code == "explanation_required"
    a = services.decision_record(
        actor=staff["mediator"],
        assessment=a,
        decision=Decision.APPROVED,
        decided_by="县政府",
        note="由街道逐户解释说明补偿方案。",
    )
    assert a.status == AssessmentStatus.DECIDED


def test_a_level_below_the_evidence_needs_grounds(staff):
    a = to_analysis(staff, start(staff), 30, 20, 50)  # the views point to medium
    with pytest.raises(DomainError) as exc:
        services.assessment_grade(
            actor=staff["mediator"], assessment=a, level=RiskLevel.LOW, mitigation=""
        )
    assert exc.value.code == "level_below_evidence"
    a = services.assessment_grade(
        actor=staff["mediator"],
        assessment=a,
        level=RiskLevel.LOW,
        mitigation="",
        reason="反对意见集中于补偿标准，已在方案中上调。",
    )
    assert a.risk_level == RiskLevel.LOW


def test_only_the_units_concerned_or_the_centre_act_and_see_it(client, staff):
    a = start(staff)
    with pytest.raises(PermissionDeniedError):
        services.consultation_start(actor=staff["yangguang"], assessment=a)
    services.consultation_start(actor=staff["handler"], assessment=a)  # 住建局 proposes it
    client.force_login(staff["handler2"])
    assert client.get(f"/disputes/risk/{a.pk}/").status_code == 404
    client.force_login(staff["leader"])
    page = client.get(f"/disputes/risk/{a.pk}/").content.decode()
    assert a.title in page
    assert 'data-step="opinion"' not in page


def test_documents_are_attached_and_downloaded(client, staff):
    a = start(staff)
    client.force_login(staff["mediator"])
    upload = SimpleUploadedFile("听证会记录.pdf", b"%PDF-1.4 minutes", "application/pdf")
    response = client.post(f"/disputes/risk/{a.pk}/act/attach/", {"attach-file": upload})
    assert response.status_code == 302
    doc = a.documents.get()
    assert doc.name == "听证会记录.pdf"
    assert doc.size == len(b"%PDF-1.4 minutes")
    got = client.get(f"/disputes/risk/{a.pk}/documents/{doc.pk}/")
    assert b"".join(got.streaming_content) == b"%PDF-1.4 minutes"
    assert AuditRecord.objects.filter(action="risk.assessment.document.download").exists()


def test_assessment_steps_through_the_web(client, staff):
    client.force_login(staff["mediator"])
    response = client.post(
        "/disputes/risk/new/",
        {
            "title": "农村集体土地征收",
            "kind": "decision",
            "description": "征收集体土地200亩。",
            "division": Division.objects.get(code="530423103").pk,
            "proposing_unit": Unit.objects.get(code="zrzyj").pk,
            "plan": "分村召开座谈会。",
        },
    )
    assert response.status_code == 302
    url = response.url
    pk = url.rstrip("/").rsplit("/", 1)[1]
    assert client.post(f"/disputes/risk/{pk}/act/consult/").status_code == 302
    response = client.post(
        f"/disputes/risk/{pk}/act/opinion/",
        {
            "opinion-method": "forum",
            "opinion-held_on": timezone.localdate().isoformat(),
            "opinion-support": 10,
            "opinion-objection": 2,
            "opinion-strong_opposition": 0,
            "opinion-summary": "多数同意。",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-step="analyse"' in page


def test_assessment_ledger_export(client, staff):
    graded(staff, RiskLevel.LOW)
    client.force_login(staff["analyst"])
    from openpyxl import load_workbook

    rows = list(
        load_workbook(
            io.BytesIO(client.get("/disputes/risk/export.xlsx").content)
        ).active.iter_rows(values_only=True)
    )
    assert rows[0][0].startswith("重大事项社会稳定风险评估台账")
    assert rows[1][:3] == ("序号", "编号", "评估事项")
    assert rows[2][2] == "城区垃圾中转站选址建设"
