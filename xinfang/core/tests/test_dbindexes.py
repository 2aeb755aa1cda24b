"""Equality-only indexes (xinfang/core/dbindexes.py): named, and no LIKE twin on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

EQUALITY = {
    "cases_case": {"case_query_code_idx": "query_code", "case_due_flag_idx": "due_flag"},
    "cases_petitioner": {
        "petitioner_id_digest_idx": "id_number_digest",
        "petitioner_phone_digest_idx": "phone_digest",
    },
    "routing_petitionerkey": {"petitionerkey_key_idx": "key"},
}


@pytest.mark.parametrize("table", sorted(EQUALITY))
def test_each_equality_column_has_one_named_index(table):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexed: dict[str, list[str]] = {}
    for name, info in constraints.items():
        if info["index"] and len(info["columns"]) == 1:
            indexed.setdefault(info["columns"][0], []).append(name)
    for name, column in EQUALITY[table].items():
        assert indexed.get(column) == [name], (column, indexed.get(column))


def test_the_like_twin_of_the_case_number_remains_only_where_it_was():
    # The unique case number keeps Django's own indexes; nothing else has a _like twin here.
    with connection.cursor() as cursor:
        names = [
            name
            for table in EQUALITY
            for name in connection.introspection.get_constraints(cursor, table)
            if name.endswith("_like")
        ]
    expected = ["cases_case_number_980c9551_like"] if connection.vendor == "postgresql" else []
    assert names == expected
