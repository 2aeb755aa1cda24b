from __future__ import annotations

import pytest


@pytest.fixture
def demo_funds(users):
    from xinfang.funds.demo import seed_demo_funds

    return seed_demo_funds()
