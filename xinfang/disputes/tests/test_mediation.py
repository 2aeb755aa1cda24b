"""Mediation: meetings, the 人民调解协议书 (PDF, read back with pypdf), the 30-day window for
judicial confirmation (人民调解法 art. 33), performance, resolution and referral."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone
from pypdf import PdfReader

from xinfang.audit.models import AuditRecord
from xinfang.cases.services import case_route
from xinfang.cases.tests.factories import register
from xinfang.core.errors import ConflictError, DomainError, PermissionDeniedError
from xinfang.core.models import Notification
from xinfang.disputes import services
from xinfang.disputes.models import Party, ReferralTarget, Status
from xinfang.disputes.pdf import AgreementData, PartyLine, render_agreement
from xinfang.org.models import Unit

from .factories import report

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def meet(staff, dispute, result="agreed", **kw):
    return services.meeting_record(
        actor=staff["yangguang"],
        dispute=dispute,
        held_on=kw.pop("held_on", timezone.localdate()),
        mediators="杨广镇人民调解委员会 调解员甲、调解员乙",
        content="双方陈述意见，调解员释法说理。",
        result=result,
        **kw,
    )


def sign(staff, dispute, **kw):
    params = {
        "actor": staff["yangguang"],
        "dispute": dispute,
        "committee": "杨广镇人民调解委员会",
        "facts": "双方因承包地边界发生争执。",
        "terms": "以2015年确权图为准重新确定边界。\n甲方补偿乙方青苗损失人民币800元。",
        "performance": "甲方以现金方式一次性支付。",
        "perform_by": timezone.localdate() + timedelta(days=15),
        "mediators": "调解员甲、调解员乙",
    }
    params.update(kw)
    return services.agreement_sign(**params)


def test_full_mediation_to_a_performed_agreement(staff):
    dispute = report(staff)
    meet(staff, dispute, result="continue")
    dispute.refresh_from_db()
    assert dispute.status == Status.MEDIATING
    meet(staff, dispute)
    agreement = sign(staff, dispute)
    dispute.refresh_from_db()
    assert dispute.status == Status.AGREED
    assert agreement.number.startswith(f"通调协〔{timezone.localdate().year}〕")
    with agreement.file.open("rb") as fh:
        stored = fh.read()
    import hashlib

    assert hashlib.sha256(stored).hexdigest() == agreement.sha256
    text = pdf_text(stored)
    for expected in (
        "人民调解协议书",
        agreement.number,
        "甲方：张三丰",
        "530423199001011234",
        "乙方：李四海",
        "双方因承包地边界发生争执",
        "一、以2015年确权图为准重新确定边界",
        "二、甲方补偿乙方青苗损失人民币800元",
        "甲方以现金方式一次性支付",
        "三十日内共同向人民法院申请司法确认",
        "第三十三条",
        "杨广镇人民调解委员会（印章）",
        "人民调解员（签名）",
    ):
        assert expected in text, expected

    services.fulfilment_record(
        actor=staff["yangguang"],
        dispute=dispute,
        fulfilled_on=timezone.localdate(),
        note="补偿款已当场支付，界桩已设立。",
    )
    dispute.refresh_from_db()
    assert dispute.status == Status.FULFILLED
    assert dispute.closed_on == timezone.localdate()
    actions = list(
        AuditRecord.objects.filter(object_id=str(dispute.pk), object_type="disputes.dispute")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "dispute.report",
        "dispute.meeting",
        "dispute.meeting",
        "dispute.agreement",
        "dispute.fulfil",
    ]
    assert AuditRecord.objects.filter(action="dispute.agreement.create").count() == 1


def test_an_agreement_needs_mediation_and_both_parties(staff):
    dispute = report(staff)
    with pytest.raises(DomainError) as exc:
        sign(staff, dispute)
    assert exc.value.code == "illegal_transition"
    lonely = report(staff, parties=[services.PartyData(side=Party.Side.APPLICANT, name="甲")])
    meet(staff, lonely)
    with pytest.raises(DomainError) as exc:
        sign(staff, lonely)
    assert exc.value.code == "parties_missing"
    lonely.refresh_from_db()
    assert lonely.status == Status.MEDIATING  # nothing changed
    assert not hasattr(lonely, "agreement") or lonely.agreement is None


@pytest.mark.parametrize(
    ("applied_on", "accepted"),
    [
        (date(2026, 3, 6), True),
        # 2026-02-05 + 30 days is Saturday 2026-03-07: the end moves to Monday 03-09.
        (date(2026, 3, 9), True),
        (date(2026, 3, 10), False),
    ],
)
def test_judicial_confirmation_within_30_days_of_the_agreement(staff, applied_on, accepted):
    with time_machine.travel(date(2026, 2, 1), tick=False):
        dispute = report(staff, found_on=date(2026, 1, 30))
        meet(staff, dispute, held_on=date(2026, 2, 1))
    agreement = sign(staff, dispute, signed_on=date(2026, 2, 5), perform_by=date(2026, 3, 1))
    assert services.confirmation_due(agreement) == date(2026, 3, 9)
    with time_machine.travel(applied_on, tick=False):
        if accepted:
            done = services.confirmation_record(
                actor=staff["yangguang"],
                dispute=dispute,
                applied_on=applied_on,
                court="通海县人民法院",
            )
            assert done.confirmation_applied_on == applied_on
            assert AuditRecord.objects.filter(action="dispute.confirmation").exists()
        else:
            with pytest.raises(DomainError) as exc:
                services.confirmation_record(
                    actor=staff["yangguang"],
                    dispute=dispute,
                    applied_on=applied_on,
                    court="通海县人民法院",
                )
            assert exc.value.code == "confirmation_window_passed"
            agreement.refresh_from_db()
            assert agreement.confirmation_applied_on is None


def test_resolved_without_agreement(staff):
    dispute = report(staff)
    services.dispute_resolve(actor=staff["yangguang"], dispute=dispute, note="经疏导双方和解。")
    dispute.refresh_from_db()
    assert dispute.status == Status.RESOLVED
    with pytest.raises(DomainError):
        meet(staff, dispute)  # settled: no more meetings


def test_referral_to_the_petition_channel_tells_the_clerks(staff):
    dispute = report(staff)
    meet(staff, dispute, result="failed")
    services.dispute_refer(
        actor=staff["yangguang"],
        dispute=dispute,
        to=ReferralTarget.PETITION,
        note="调解不成，当事人要求向信访部门反映。",
    )
    dispute.refresh_from_db()
    assert dispute.status == Status.REFERRED
    assert dispute.referred_to == "petition"
    clerks = Notification.objects.filter(kind="dispute.referred")
    assert list(clerks.values_list("user__username", flat=True)) == ["clerk"]


def test_referral_links_the_case_when_the_actor_may_see_it(staff):
    case = case_route(actor=staff["clerk"], case=register(staff), unit=Unit.objects.get(code="zjj"))
    dispute = report(staff)
    with pytest.raises(DomainError) as exc:
        services.dispute_refer(
            actor=staff["yangguang"],
            dispute=dispute,
            to=ReferralTarget.PETITION,
            note="x",
            case_number=case.number,
        )
    assert exc.value.code == "case_not_found"
    services.dispute_refer(
        actor=staff["supervisor"],  # the bureau acts for the centre and sees every case
        dispute=dispute,
        to=ReferralTarget.PETITION,
        note="已登记为信访事项。",
        case_number=case.number,
    )
    dispute.refresh_from_db()
    assert dispute.case == case
    assert not Notification.objects.filter(kind="dispute.referred").exists()


def test_litigation_referral_after_an_unperformed_agreement(staff):
    dispute = report(staff)
    meet(staff, dispute)
    sign(staff, dispute)
    services.dispute_refer(
        actor=staff["mediator"],
        dispute=dispute,
        to=ReferralTarget.LITIGATION,
        note="乙方拒不履行协议，引导向人民法院起诉。",
    )
    dispute.refresh_from_db()
    assert dispute.status == Status.REFERRED


def test_other_towns_and_readers_cannot_act(staff):
    dispute = report(staff)
    with pytest.raises(PermissionDeniedError):
        services.dispute_resolve(actor=staff["hexi"], dispute=dispute, note="x")
    with pytest.raises(PermissionDeniedError):
        services.dispute_resolve(actor=staff["leader"], dispute=dispute, note="x")
    dispute.refresh_from_db()
    assert dispute.status == Status.REPORTED


def test_a_stale_form_is_refused(staff):
    dispute = report(staff)
    stale = dispute.version
    services.dispute_update(
        actor=staff["yangguang"],
        dispute=dispute,
        risk_level="medium",
        deadline=dispute.deadline,
        responsible_unit=dispute.responsible_unit,
        responsible_leader="镇长",
    )
    with pytest.raises(ConflictError):
        services.dispute_resolve(
            actor=staff["yangguang"], dispute=dispute, note="x", expected_version=stale
        )
    record = AuditRecord.objects.get(action="dispute.update")
    assert record.before == {"risk_level": "low", "responsible_leader": "分管副镇长"}
    assert record.after == {"risk_level": "medium", "responsible_leader": "镇长"}


def test_mediation_through_the_web(client, staff):
    dispute = report(staff)
    client.force_login(staff["yangguang"])
    page = client.get(f"/disputes/ledger/{dispute.pk}/").content.decode()
    assert 'data-action="meeting"' in page
    assert 'data-action="agreement"' not in page
    response = client.post(
        f"/disputes/ledger/{dispute.pk}/act/meeting/",
        {
            "meeting-version": dispute.version,
            "meeting-held_on": timezone.localdate().isoformat(),
            "meeting-mediators": "调解员甲",
            "meeting-content": "首次调解。",
            "meeting-result": "agreed",
        },
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    response = client.post(
        f"/disputes/ledger/{dispute.pk}/act/agreement/",
        {
            "agreement-version": dispute.version,
            "agreement-committee": "杨广镇人民调解委员会",
            "agreement-facts": "边界争议。",
            "agreement-terms": "按确权图分界。",
            "agreement-performance": "即时履行。",
            "agreement-perform_by": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "agreement-mediators": "调解员甲",
            "agreement-signed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400  # performance due before signing: refused, shown
    assert "Performance cannot be due before the agreement is signed." in response.content.decode()
    response = client.post(
        f"/disputes/ledger/{dispute.pk}/act/agreement/",
        {
            "agreement-version": dispute.version,
            "agreement-committee": "杨广镇人民调解委员会",
            "agreement-facts": "边界争议。",
            "agreement-terms": "按确权图分界。",
            "agreement-performance": "即时履行。",
            "agreement-perform_by": timezone.localdate().isoformat(),
            "agreement-mediators": "调解员甲",
            "agreement-signed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    pdf = client.get(f"/disputes/ledger/{dispute.pk}/agreement.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "张三丰" in pdf_text(pdf.content)


def test_readers_without_the_right_get_a_masked_agreement(client, staff):
    dispute = report(staff)
    meet(staff, dispute)
    sign(staff, dispute)
    client.force_login(staff["leader"])
    text = pdf_text(client.get(f"/disputes/ledger/{dispute.pk}/agreement.pdf").content)
    assert "人民调解协议书" in text
    assert "张三丰" not in text
    assert "张**" in text
    assert "530423199001011234" not in text
    assert "5304************34" in text
    record = AuditRecord.objects.get(action="dispute.agreement.download")
    assert record.after == {"masked": True}


def test_agreement_rendering_is_deterministic_and_wraps_long_terms():
    data = AgreementData(
        number="通调协〔2026〕1号",
        committee="四街镇人民调解委员会",
        parties=[
            PartyLine(
                "applicant", "某某建筑公司", kind="organisation", id_number="91530423MA0000000X"
            ),
            PartyLine("respondent", "王五", phone="13700003333"),
        ],
        facts="拖欠工程款。" * 30,
        terms="分三期支付工程款，每期于当月最后一个工作日前支付，逾期按日万分之五支付违约金。" * 4,
        performance="银行转账。",
        perform_by=date(2026, 6, 30),
        mediators="调解员丙",
        signed_on=date(2026, 5, 1),
    )
    first, second = render_agreement(data), render_agreement(data)
    assert first == second
    text = pdf_text(first)
    assert "甲方：某某建筑公司，统一社会信用代码：91530423MA0000000X" in text
    assert "2026年5月1日" in text
    assert "2026年6月30日前履行完毕" in text


@pytest.mark.parametrize("code", ["530423101", "530423101201"])  # the town, one of its villages
def test_the_agreement_form_names_the_towns_committee(staff, code):
    from xinfang.disputes.forms import action_form
    from xinfang.disputes.transitions import Action
    from xinfang.org.models import Division

    dispute = report(staff, division=Division.objects.get(code=code))
    assert action_form(Action.AGREEMENT, dispute).initial["committee"] == "杨广镇人民调解委员会"
