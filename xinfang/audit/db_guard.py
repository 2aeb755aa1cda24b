"""Database triggers that refuse UPDATE and DELETE on the audit table.

The application never changes an audit record; these triggers make sure no code path (a
raw query, the ORM's bulk update, a mistaken admin action) can either. A database owner can
still drop them or TRUNCATE the table — which is why the chain is also hashed and checked
nightly (``manage.py verify_audit``).
"""

from __future__ import annotations

from typing import Any

INSTALL = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS audit_record_no_update BEFORE UPDATE ON audit_auditrecord
           BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
        """CREATE TRIGGER IF NOT EXISTS audit_record_no_delete BEFORE DELETE ON audit_auditrecord
           BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit records are append-only'; END; $$ LANGUAGE plpgsql;""",
        "DROP TRIGGER IF EXISTS audit_record_no_change ON audit_auditrecord;",
        """CREATE TRIGGER audit_record_no_change BEFORE UPDATE OR DELETE ON audit_auditrecord
           FOR EACH ROW EXECUTE FUNCTION audit_record_append_only();""",
    ],
}
REMOVE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_record_no_update;",
        "DROP TRIGGER IF EXISTS audit_record_no_delete;",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_record_no_change ON audit_auditrecord;",
        "DROP FUNCTION IF EXISTS audit_record_append_only();",
    ],
}


def install_guard(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in INSTALL.get(connection.vendor, []):
            cursor.execute(sql)


def remove_guard(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in REMOVE.get(connection.vendor, []):
            cursor.execute(sql)
