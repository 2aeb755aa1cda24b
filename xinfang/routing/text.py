"""Chinese text as the classifier and the duplicate detector see it.

The labelled training files (data/complaints-*.csv.gz) come already segmented by jieba with stop
words and punctuation removed; petitions arrive as raw text. Both go through the same
:func:`classifier_tokens`: spaces next to Chinese characters are dropped (so segmented text
becomes raw text again), jieba segments it, and punctuation and the stop words are removed.
The stop-word list (data/stopwords.txt) is derived from the data itself
(``manage.py routing_prepare_data``): words jieba finds in at least 8 of the raw messages but
never once in the 7,750 segmented ones, i.e. the words the publisher's own list removed.

The duplicate detector works on the words of ``Case.search_text`` (jieba search mode, stored
by the cases app for full-text search), without the same stop words, so that no case text has
to be segmented again to index it.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)

DATA_DIR = Path(__file__).resolve().parent / "data"
STOPWORDS_FILE = DATA_DIR / "stopwords.txt"

_WORD = re.compile(r"\w+")
# Whitespace with a non-ASCII (Chinese) character on either side: segmentation spaces.
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")
# Carriage returns exported from Excel as literal text in the public files.
_EXCEL_CR = "_x000D_"


@cache
def stopwords() -> frozenset[str]:
    if not STOPWORDS_FILE.exists():
        return frozenset()
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def unsegment(text: str) -> str:
    """Raw text again: Excel artefacts out, segmentation spaces between Chinese words out."""
    return _CJK_SPACE.sub("", text.replace(_EXCEL_CR, " ")).strip()


def classifier_tokens(text: str) -> list[str]:
    """jieba words (precise mode), lower-cased, without punctuation and stop words."""
    stop = stopwords()
    tokens = []
    for token in jieba.lcut(unsegment(text)):
        token = token.strip().lower()
        if token and _WORD.fullmatch(token) and token not in stop:
            tokens.append(token)
    return tokens


def classifier_text(text: str) -> str:
    """The form the classifier is trained and applied on: tokens joined by spaces."""
    return " ".join(classifier_tokens(text))


def petition_text(*, title: str, content: str) -> str:
    return f"{title.strip()}\n{content.strip()}"


def search_words(search_text: str) -> list[str]:
    """The words of a ``Case.search_text`` in order, stop words removed."""
    stop = stopwords()
    return [w for w in search_text.split() if w not in stop]


def word_set(search_text: str) -> frozenset[str]:
    return frozenset(search_words(search_text))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
