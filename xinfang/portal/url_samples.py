"""Sample objects for the URL x role access matrix (xinfang/core/tests/test_access_matrix.py).

Every portal page is public. A document answers only to the browser session that looked its
case up with the query code, so in the matrix (no such session) it answers 404 to everyone."""

from __future__ import annotations

from typing import Any


def _sample_document(users: dict[str, Any]) -> Any:
    from xinfang.cases.url_samples import sample_case

    return sample_case(users).documents.first()


URL_KWARGS = {"portal:document": lambda users: {"doc_pk": _sample_document(users).pk}}
OBJECT_URLS = {"portal:document"}
POST_ONLY = {"portal:rate", "portal:review", "portal:leave"}
VISIBLE = {"portal:document": lambda user, users: False}
