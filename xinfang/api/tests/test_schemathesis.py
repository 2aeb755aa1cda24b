"""Issue 5 part 6: schemathesis fuzzes every operation of the schema the API serves, through
the WSGI application, and finds no server error (5xx) and no answer that breaks the schema.

Each operation runs its explicit examples, schemathesis' coverage phase (boundary and
invalid values) and a bounded number of random examples. Requests carry real tokens: the
demo clerk's, or, for the actions only a handling unit or a reviewer may take, the unit
head's (住建局) and the supervisor's, so that bodies get past the capability check and reach
validation and the services. Generated case ids are drawn half of the time from the cases
the fixture creates (one in each main state), so actions meet real cases in real states.
"""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import checks

from xinfang.api.actions import SPECS
from xinfang.api.presenters import ACTION_SLUGS
from xinfang.api.services import api_token_issue
from xinfang.cases import services as s
from xinfang.cases.attachments import attachment_add
from xinfang.cases.tests.factories import register
from xinfang.org.models import Unit
from xinfang.org.permissions import Capability

pytestmark = [pytest.mark.django_db, pytest.mark.security]

MAX_EXAMPLES = 12
ANSWER = "经查，楼顶防水层老化属实，已责成物业公司于4月底前完成维修。"
ROLE_FOR_CAPABILITY = {
    Capability.HANDLE_CASE: "unithead",
    Capability.APPROVE_EXTENSION: "unithead",
    Capability.DECIDE_REVIEW: "supervisor",
}
ACTOR_BY_SLUG = {
    ACTION_SLUGS[spec.action]: ROLE_FOR_CAPABILITY.get(spec.capability, "clerk") for spec in SPECS
}
ACTOR_BY_SLUG["rework"] = "supervisor"  # needs inspect or supervise, checked by the service
# The schema-conformance and robustness checks. Left out: positive_data_acceptance (a
# schema-valid body is still refused by the domain rules: an unknown unit code, an action the
# case's state does not allow), and the stateful and two-user checks (no stateful phase here).
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.ignored_auth,
    checks.unsupported_method,
    checks.allow_header_conformance,
    checks.missing_required_header,
]
STATS: dict[str, Any] = {"calls": 0, "by_status": {}}


def _cases(users: dict[str, Any]) -> dict[str, list[int]]:
    zjj = Unit.objects.get(code="zjj")
    clerk, head = users["clerk"], users["unithead"]
    registered = register(users)
    routed = s.case_route(actor=clerk, case=register(users), unit=zjj)
    handling = s.case_accept(
        actor=head, case=s.case_route(actor=clerk, case=register(users), unit=zjj)
    )
    replied = s.case_reply(
        actor=head,
        case=s.case_accept(
            actor=head, case=s.case_route(actor=clerk, case=register(users), unit=zjj)
        ),
        outcome="supported",
        text=ANSWER,
    )
    data = b"%PDF-1.4 sample"
    attachment = attachment_add(
        actor=clerk, case=routed, name="信件.pdf", stream=io.BytesIO(data), size=len(data)
    )
    cases = [registered, routed, handling, replied]
    return {
        "id": [c.pk for c in cases],
        "doc_pk": [d.pk for c in cases for d in c.documents.all()],
        "att_pk": [attachment.pk],
    }


# Loaded when the module is collected, from the running application (the schema view reads
# no data). The known ids and the tokens are filled in by the fixture of each test.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
KNOWN: dict[str, list[int]] = {}
TOKENS: dict[str, str] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    if not path_parameters:
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {
            name: st.one_of(st.just(value), st.sampled_from(KNOWN[name]))
            if KNOWN.get(name)
            else st.just(value)
            for name, value in path_parameters.items()
        }
    )


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Django closes a connection at the end of each request whose autocommit differs from
    its setting, as it does inside the test's transaction; on PostgreSQL that would end the
    test's transaction after the first call. Django's own test client lifts this signal
    handler for the same reason; the WSGI application schemathesis calls does not."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_data(users: dict[str, Any]) -> None:
    KNOWN.clear()
    KNOWN.update(_cases(users))
    TOKENS.clear()
    for name in {"clerk", *ACTOR_BY_SLUG.values()}:
        TOKENS[name] = api_token_issue(actor=None, user=users[name], name="schemathesis").key


def _actor(path: str) -> str:
    slug = path.rstrip("/").rsplit("/", 1)[-1]
    return ACTOR_BY_SLUG.get(slug, "clerk")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_no_5xx_and_keeps_to_its_schema(case: Any, api_data: None) -> None:
    token = TOKENS[_actor(case.operation.path)]
    started = time.monotonic()
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    STATS["calls"] += 1
    STATS["seconds"] = STATS.get("seconds", 0.0) + time.monotonic() - started
    STATS["by_status"][response.status_code] = STATS["by_status"].get(response.status_code, 0) + 1
    case.validate_response(response, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Any:
    yield
    print(f"\nschemathesis: {STATS}")  # noqa: T201
