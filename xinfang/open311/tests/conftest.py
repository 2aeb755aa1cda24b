from __future__ import annotations

import pytest


@pytest.fixture
def app_key(demo_org):
    """A city app's client system with an Open311 key; returns (client, key)."""
    from xinfang.open311.models import Scope
    from xinfang.open311.services import api_client_issue

    return api_client_issue(actor=None, name="通海随手拍", scopes=[Scope.OPEN311])


@pytest.fixture
def other_key(demo_org):
    from xinfang.open311.models import Scope
    from xinfang.open311.services import api_client_issue

    return api_client_issue(actor=None, name="provincial app", scopes=[Scope.OPEN311])
