"""The year-end self-assessment (绩效自评), scored as DOMAIN.md §7 says (财预〔2020〕10号):

100 points: budget execution rate 10, output indicators 50, benefit indicators 30,
satisfaction indicators 10. A ">=" indicator scores actual / target x its points, a "<="
indicator target / actual x its points, capped at its points. An indicator that does not
apply (marked so, or a live rate with nothing to count) is dropped and the rest rescaled:
within a first-level kind the points are shared equally by the indicators that apply, and a
kind with none that applies drops out of the total, which is rescaled to 100.
Grades: >= 90 优, 80-90 良, 60-80 中, < 60 差.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .models import LEVEL1_CN, LEVEL2_CN, Level1, Level2, Operator, fmt_number
from .selectors import IndicatorStatus, ProjectFigures

EXECUTION_POINTS = Decimal(10)
LEVEL_POINTS = {
    Level1.OUTPUT: Decimal(50),
    Level1.BENEFIT: Decimal(30),
    Level1.SATISFACTION: Decimal(10),
}
GRADES = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差"))
CENT = Decimal("0.01")


def grade(score: Decimal) -> str:
    return next(label for floor, label in GRADES if score >= floor)


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fraction(operator: str, actual: Decimal, target: Decimal) -> Decimal:
    """The share of an indicator's points earned (0..1)."""
    if operator == Operator.AT_LEAST:
        share = Decimal(1) if target <= 0 else actual / target
    else:
        share = Decimal(1) if actual <= 0 else target / actual
    return max(Decimal(0), min(Decimal(1), share))


@dataclass
class Row:
    level1: str  # 一级指标
    level2: str  # 二级指标
    name: str  # 三级指标
    target: str  # 年度指标值
    actual: str  # 实际完成值
    points: Decimal | None  # 分值 (None: dropped)
    score: Decimal | None  # 得分
    note: str = ""  # 偏差原因分析及改进措施

    @property
    def dropped(self) -> bool:
        return self.points is None


@dataclass
class Assessment:
    project_name: str
    year: int
    unit: str
    budget: Decimal  # 年初预算数
    adjusted: Decimal  # 全年预算数
    spent: Decimal  # 全年执行数
    execution_rate: Decimal  # 执行率 %
    execution_score: Decimal
    rows: list[Row] = field(default_factory=list)
    possible: Decimal = Decimal(0)
    earned: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        """Points earned out of the points that apply, rescaled to 100."""
        if not self.possible:
            return Decimal(0)
        return q2(Decimal(100) * self.earned / self.possible)

    @property
    def grade(self) -> str:
        return grade(self.total)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["total"] = self.total
        data["grade"] = self.grade
        plain: dict[str, Any] = _plain(data)
        return plain

    def as_text(self) -> str:
        """The table as plain text (the management command, the closing note)."""
        lines = [
            f"{self.year}年度 {self.project_name} 绩效自评表",
            f"实施单位：{self.unit}",
            f"年初预算数 {money(self.budget)} 元；全年预算数 {money(self.adjusted)} 元；"
            f"全年执行数 {money(self.spent)} 元；执行率 {self.execution_rate}%；"
            f"分值 {EXECUTION_POINTS}；得分 {self.execution_score}",
            "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因",
        ]
        for r in self.rows:
            pts = "不计分" if r.points is None else str(r.points)
            sc = "—" if r.score is None else str(r.score)
            lines.append(
                f"{r.level1} | {r.level2} | {r.name} | {r.target} | {r.actual} | {pts} | {sc}"
                f" | {r.note}"
            )
        lines.append(
            f"总分 {self.total}（得分 {q2(self.earned)} / 适用分值 {q2(self.possible)} × 100）"
            f"；等级 {self.grade}"
        )
        return "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def actual_text(s: IndicatorStatus) -> str:
    if not s.indicator.applicable:
        return "不适用"
    if s.actual is None:
        return "无数据"
    return f"{fmt_number(s.actual)}{s.indicator.unit}"


def assess(pf: ProjectFigures) -> Assessment:
    """The self-assessment of one project from its figures (money and indicators)."""
    rate = pf.rate or Decimal(0)
    execution = q2(EXECUTION_POINTS * min(Decimal(1), rate / 100))
    a = Assessment(
        project_name=pf.project.name,
        year=pf.project.year,
        unit=pf.project.implementing_unit.name,
        budget=pf.budget,
        adjusted=pf.adjusted,
        spent=pf.spent,
        execution_rate=rate,
        execution_score=execution,
        possible=EXECUTION_POINTS if pf.adjusted else Decimal(0),
        earned=execution if pf.adjusted else Decimal(0),
    )
    for level1, level_points in LEVEL_POINTS.items():
        statuses = [s for s in pf.indicators if s.indicator.level1 == level1]
        counted = [s for s in statuses if s.indicator.applicable and s.actual is not None]
        share = q2(level_points / len(counted)) if counted else None
        if counted:
            a.possible += level_points
        for s in statuses:
            ind = s.indicator
            applies = s in counted
            score = None
            note = ind.deviation_note
            if applies and share is not None and s.actual is not None:
                f = fraction(ind.operator, s.actual, ind.target)
                exact = level_points * f / len(counted)
                score = q2(exact)
                a.earned += exact
                if f < 1 and not note:
                    note = "未达到年度指标值"
            elif not note:
                note = "不适用，不计分" if not ind.applicable else "无数据，不计分"
            a.rows.append(
                Row(
                    LEVEL1_CN[Level1(level1)],
                    LEVEL2_CN[Level2(ind.level2)],
                    ind.name,
                    ind.target_text,
                    actual_text(s),
                    share if applies else None,
                    score,
                    note,
                )
            )
    return a
