"""The social-stability risk assessment report (社会稳定风险评估报告) as PDF, on the generic
renderer of xinfang.disputes.pdf. The report states the matter, the plan, the views heard (as
counts, never names), the risks identified with their mitigation, the level and its grounds,
the measures and the conclusion that follows from the level (DOMAIN.md §6)."""

from __future__ import annotations

from xinfang.disputes.pdf import Document, Section, paragraphs, render_document

from .models import OpinionCollection, RiskAssessment, RiskItem

LEVEL_ZH = {"high": "高风险", "medium": "中风险", "low": "低风险"}
KIND_ZH = {
    "decision": "重大决策、重要政策",
    "project": "重大工程项目",
    "investment": "固定资产投资项目",
    "reform": "重大改革",
}
METHOD_ZH = {
    "hearing": "听证会",
    "forum": "座谈会",
    "survey": "问卷调查",
    "visit": "入户走访",
    "notice": "公示",
    "experts": "专家论证",
}
ASPECT_ZH = {
    "legality": "合法性",
    "reasonableness": "合理性",
    "feasibility": "可行性",
    "controllability": "可控性",
    "safety": "安全性",
}


def report_document(a: RiskAssessment) -> Document:
    opinions = list(OpinionCollection.objects.filter(assessment=a, revision=a.revision))
    risks = list(
        RiskItem.objects.filter(assessment=a, revision=a.revision).select_related(
            "responsible_unit"
        )
    )
    total = sum(o.total for o in opinions)
    support = sum(o.support for o in opinions)
    objection = sum(o.objection for o in opinions)
    strong = sum(o.strong_opposition for o in opinions)

    def pct(n: int) -> str:
        return f"{100 * n / total:.1f}%" if total else "—"

    views = Section(
        "三、听取意见情况",
        [
            f"共听取{total}人次意见：支持{support}人次（{pct(support)}），有异议{objection}人次"
            f"（{pct(objection)}），强烈反对{strong}人次（{pct(strong)}）。"
        ],
        table=[
            ["方式", "日期", "支持", "有异议", "强烈反对", "主要意见"],
            *[
                [
                    METHOD_ZH.get(o.method, o.method),
                    o.held_on.isoformat(),
                    str(o.support),
                    str(o.objection),
                    str(o.strong_opposition),
                    o.summary,
                ]
                for o in opinions
            ],
        ],
        widths=[1.2, 1.5, 0.8, 0.8, 1, 4],
    )
    risk_table = Section(
        "四、风险识别",
        table=[
            ["方面", "风险点", "等级", "防范化解措施", "责任单位"],
            *[
                [
                    ASPECT_ZH.get(r.aspect, r.aspect),
                    r.description,
                    LEVEL_ZH.get(r.level, r.level),
                    r.mitigation or "—",
                    r.responsible_unit.name if r.responsible_unit else "—",
                ]
                for r in risks
            ],
        ],
        widths=[1, 3, 1, 3, 1.8],
    )
    level_paras = [f"综合评定风险等级：{LEVEL_ZH.get(a.risk_level, '未定级')}。"]
    if a.level_reason:
        level_paras.append(f"定级理由：{a.level_reason}")
    return Document(
        title="社会稳定风险评估报告",
        number=f"{a.number}（第{a.revision}稿）",
        issuer=a.assessing_unit.name,
        subject=a.title,
        sections=[
            Section(
                "一、评估事项",
                [
                    f"事项名称：{a.title}",
                    f"事项类别：{KIND_ZH.get(a.kind, a.kind)}",
                    f"决策提出（项目）单位：{a.proposing_unit.name}；评估主体：{a.assessing_unit.name}；"
                    f"所在地：{a.division.name}。",
                    *paragraphs(a.description),
                ],
            ),
            Section("二、评估方案", paragraphs(a.plan)),
            views,
            risk_table,
            Section("五、风险等级", level_paras),
            Section("六、风险防范化解措施", paragraphs(a.mitigation) or ["—"]),
            Section("七、评估结论", paragraphs(a.conclusion)),
        ],
        signatures=[f"评估主体：{a.assessing_unit.name}（盖章）"],
        dated=a.reported_on,
    )


def render_report(a: RiskAssessment) -> bytes:
    return render_document(report_document(a))
