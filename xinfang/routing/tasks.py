"""Background work of the routing area (django-tasks), scheduled in xinfang/core/schedule.py."""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task

from . import classifier
from .fingerprints import index_missing

logger = logging.getLogger(__name__)


@task()
def index_new_cases() -> dict[str, int]:
    """Catch up on cases and petitioners written without signals (bulk imports, purges)."""
    cases, people = index_missing()
    return {"cases": cases, "petitioners": people}


@task()
def ensure_model() -> dict[str, Any]:
    """A fresh installation builds its model from the bundled public data (about a minute,
    progress in the worker's log); afterwards this only checks that one passed evaluation."""
    model = classifier.current_model(train_if_missing=True)
    return {"model": model.version if model else None}


@task()
def retrain_with_cases() -> dict[str, Any]:
    """Learn from the bureau's handled cases (the clerk's final category is the label); a new
    model replaces the current one only if it passes evaluation on the held-out test split."""
    manifest = classifier.retrain_with_cases(progress=lambda m: logger.info("routing: %s", m))
    if manifest is None:
        return {"trained": False}
    return {"trained": True, "version": manifest["version"], "passed": manifest["passed"]}
