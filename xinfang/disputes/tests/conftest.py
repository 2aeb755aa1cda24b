from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def staff(users: dict[str, Any]) -> dict[str, Any]:
    """The demo accounts plus the mediation centre's mediator and two towns' staff."""
    from xinfang.disputes.demo import seed_demo_dispute_users
    from xinfang.org.models import User

    seed_demo_dispute_users()
    return {u.username: u for u in User.objects.select_related("unit", "unit__division")}


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English source messages; the Chinese interface is checked by
    compile_translations --check (complete, placeholders intact) and the browser tests."""
    settings.LANGUAGE_CODE = "en"
