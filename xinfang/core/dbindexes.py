"""Index changes that must not rebuild a table.

Django turns ``db_index=True`` on a CharField into two indexes on PostgreSQL (a plain one and a
``varchar_pattern_ops`` one for LIKE), and on SQLite any change of ``db_index`` rebuilds the
whole table (copy, drop, rename), which drops the triggers kept on it (the SQLite full-text
index, the analytics rollup). ``EqualityIndex`` moves a column's ``db_index`` index to a named
``Meta.indexes`` entry in place: the LIKE index is dropped, the plain one renamed (PostgreSQL)
or recreated under the new name (SQLite, no table rebuild).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


class EqualityIndex(migrations.RunPython):
    def __init__(self, table: str, column: str, name: str) -> None:
        self.table, self.column, self.name = table, column, name
        super().__init__(self._forwards, self._backwards, elidable=False)

    def describe(self) -> str:
        return f"Index {self.table}.{self.column} as {self.name} (no LIKE index, no rebuild)"

    def _old_names(self, schema_editor: Any) -> tuple[str, str]:
        plain = schema_editor._create_index_name(self.table, [self.column])
        like = schema_editor._create_index_name(self.table, [self.column], suffix="_like")
        return plain, like

    def _forwards(self, apps: Any, schema_editor: Any) -> None:
        q = schema_editor.quote_name
        plain, like = self._old_names(schema_editor)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {q(like)}")
            schema_editor.execute(f"ALTER INDEX IF EXISTS {q(plain)} RENAME TO {q(self.name)}")
        else:
            schema_editor.execute(f"DROP INDEX IF EXISTS {q(plain)}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {q(self.name)} ON {q(self.table)} ({q(self.column)})"
        )

    def _backwards(self, apps: Any, schema_editor: Any) -> None:
        q = schema_editor.quote_name
        plain, like = self._old_names(schema_editor)
        schema_editor.execute(f"DROP INDEX IF EXISTS {q(self.name)}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {q(plain)} ON {q(self.table)} ({q(self.column)})"
        )
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {q(like)} ON {q(self.table)} "
                f"({q(self.column)} varchar_pattern_ops)"
            )
