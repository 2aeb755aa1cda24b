from __future__ import annotations

import pytest


@pytest.fixture
def demo_funds(users):
    from xinfang.funds.demo import seed_demo_funds

    return seed_demo_funds()


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English source messages; the Chinese interface is checked by
    compile_translations --check (complete, placeholders intact) and the browser tests."""
    settings.LANGUAGE_CODE = "en"
