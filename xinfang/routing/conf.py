"""Settings of the routing area, with their defaults (override ``XINFANG_ROUTING`` in settings).

MODEL_DIR               where versioned classifier files are written and read
MIN_MACRO_F1            a trained model is used only when its macro-F1 on the held-out test
                        split reaches this (the issue's target is 0.90)
AUTO_TRAIN              train a model from the bundled data on first use when none passed
                        (in a background thread for web requests; commands train in place)
MAX_CASE_EXAMPLES       learning from the bureau's handled cases uses the newest this many
SAME_MATTER_JACCARD     same petitioner: an earlier case is "the same matter" from this word
                        Jaccard similarity on (tuned on data/duplicate-pairs.csv, docs/routing.md)
NEAR_DUPLICATE_JACCARD  different petitioners: "near-identical matter" from this similarity
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "MODEL_DIR": None,  # default: VAR_DIR / "models"
    "MIN_MACRO_F1": 0.90,
    "AUTO_TRAIN": True,
    "MAX_CASE_EXAMPLES": 50_000,
    "SAME_MATTER_JACCARD": 0.20,
    "NEAR_DUPLICATE_JACCARD": 0.30,
}


def routing_setting(name: str) -> Any:
    overrides: dict[str, Any] = getattr(settings, "XINFANG_ROUTING", {})
    return overrides.get(name, DEFAULTS[name])


def model_dir() -> Path:
    configured = routing_setting("MODEL_DIR")
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "models"
