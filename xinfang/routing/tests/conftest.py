"""A small routing model, trained once per test session into a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from xinfang.routing.classifier import train_and_save

    directory = tmp_path_factory.mktemp("routing-models")
    train_and_save(directory=directory, limit=900, evaluation_limit=300, min_macro_f1=0.0)
    return directory


@pytest.fixture
def routing_settings(settings: Any, small_model_dir: Path) -> Any:
    """Point the routing area at the small model; never train behind a test's back."""
    from xinfang.routing import classifier

    settings.XINFANG_ROUTING = {
        "MODEL_DIR": small_model_dir,
        "MIN_MACRO_F1": 0.0,
        "AUTO_TRAIN": False,
    }
    classifier._loaded.clear()
    yield settings
    classifier._loaded.clear()
