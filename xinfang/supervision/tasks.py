"""Background work of supervision: the hourly sweep and one task per escalation rung."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_tasks import task

from .complex import backlog_enrol
from .escalation import escalation_fire, plan_escalations
from .followups import follow_ups_open
from .quality import quality_sample
from .services import ensure_default_rules


def run_sweep(*, today: date) -> dict[str, int]:
    """Each part is idempotent: running it twice, or in two workers at once, changes nothing
    the second time."""
    return {
        "rules_seeded": ensure_default_rules(),
        "escalations_enqueued": plan_escalations(today=today),
        "follow_ups": follow_ups_open(today=today),
        "backlog_listed": backlog_enrol(today=today),
        **{f"quality_{k}": v for k, v in quality_sample(today=today).items()},
    }


@task()
def supervision_sweep(today: str | None = None) -> dict[str, int]:
    """Hourly (xinfang.core.schedule): plan the escalation rungs due today on the working-day
    calendar (each fired by its own task), open follow-up calls for 不满意 ratings, list new
    backlog cases, draw today's quality sample."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return run_sweep(today=day)


@task()
def escalation_step(rule_id: int, subject_key: str, due_on: str, today: str) -> dict[str, object]:
    """Fire one rung of the ladder for one item or case (once: see escalation.py)."""
    notice = escalation_fire(
        rule_id=rule_id,
        subject_key=subject_key,
        due_on=date.fromisoformat(due_on),
        today=date.fromisoformat(today),
    )
    return {"fired": notice is not None, "notice": notice.pk if notice else None}
