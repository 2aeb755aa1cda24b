from __future__ import annotations

import pytest

from xinfang.org.models import Unit


@pytest.fixture
def zjj(demo_org: None) -> Unit:
    return Unit.objects.get(code="zjj")


@pytest.fixture
def rsj(demo_org: None) -> Unit:
    return Unit.objects.get(code="rsj")
