"""Fixtures of the analytics tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English source messages; the Chinese interface is checked by
    compile_translations --check (complete, placeholders intact) and the browser tests."""
    settings.LANGUAGE_CODE = "en"
