"""Full-text search over case titles and contents, in Chinese.

Text is segmented with jieba (search mode, so a query for a part of a compound word still
finds it) and stored in ``Case.search_text``. The database indexes it: SQLite with an FTS5
table kept in sync by triggers, PostgreSQL with a GIN index on to_tsvector('simple', ...)
(migration 0003). No index of our own.
"""

from __future__ import annotations

import logging
import re

import jieba
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .models import Case

jieba.setLogLevel(logging.WARNING)
_WORD = re.compile(r"[\w]+", re.UNICODE)


def segment(text: str) -> list[str]:
    """Search-mode tokens: words and their sub-words, punctuation and spaces dropped."""
    return [t.lower() for t in jieba.cut_for_search(text) if _WORD.fullmatch(t.strip())]


def search_text_for(*, title: str, content: str, request: str = "") -> str:
    return " ".join(segment(f"{title} {content} {request}"))


def query_tokens(query: str) -> list[str]:
    """The finest words of the query: a compound that search mode also split into parts
    (拖欠工资 -> 拖欠, 工资) is matched by its parts, so text that separates them still
    matches; the index holds every part of the text's compounds."""
    tokens = list(dict.fromkeys(segment(query)))
    return [t for t in tokens if not any(o != t and o in t for o in tokens)]


def search(qs: QuerySet[Case], query: str) -> QuerySet[Case]:
    """Cases whose title or content contain every word of ``query``."""
    tokens = query_tokens(query)
    if not tokens:
        return qs
    if connection.vendor == "postgresql":
        sql = (
            "SELECT id FROM cases_case WHERE to_tsvector('simple', search_text)"
            " @@ plainto_tsquery('simple', %s)"
        )
        return qs.filter(pk__in=RawSQL(sql, [" ".join(tokens)]))  # noqa: S611 (parametrised)
    match = " ".join('"' + t.replace('"', '""') + '"' for t in tokens)
    sql = "SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s"
    return qs.filter(pk__in=RawSQL(sql, [match]))  # noqa: S611 (parametrised)
