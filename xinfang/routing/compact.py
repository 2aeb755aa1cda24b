"""The trained classifier in the form a web process serves it: numpy arrays only.

The scikit-learn pipeline (classifier.build_pipeline: two TF-IDF vectorizers, a linear SVM,
temperature scaling) is what is trained and kept (``.joblib``); to answer a request only its
numbers are needed: the two vocabularies with their IDF weights, the SVM's coefficients and
intercepts and the temperature. Held as sorted numpy arrays (looked up with searchsorted)
instead of Python dictionaries of 210,000 terms, and without importing scikit-learn and SciPy
at all, a web worker needs about 150 MB less (docs/routing.md, "Memory"). The file is an
``.npz`` read with ``allow_pickle=False``: no code is loaded from it.

``predict_proba`` computes exactly what the pipeline computes (sublinear TF, IDF, L2 norm per
vectorizer, the union of both, the decision function, softmax of the scaled decision values);
the coefficients are stored as float32 (the probabilities agree to about 1e-6; the tests
compare both on the test split).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1
# sklearn.feature_extraction.text: white space runs become one space before char n-grams.
_WHITE_SPACES = re.compile(r"\s\s+")
_WORDS = re.compile(r"(?u)\S+")  # classifier.SPACE_SEPARATED


class _Vocabulary:
    """Terms sorted, each with its column and IDF weight."""

    def __init__(self, terms: np.ndarray, columns: np.ndarray, idf: np.ndarray) -> None:
        self.terms = terms
        self.columns = columns
        self.idf = idf

    @classmethod
    def from_vectorizer(cls, vectorizer: Any, offset: int) -> _Vocabulary:
        items = sorted(vectorizer.vocabulary_.items())
        terms = np.array([t for t, _ in items], dtype=str)
        columns = np.array([c for _, c in items], dtype=np.int64)
        idf = np.asarray(vectorizer.idf_, dtype=np.float64)[columns]
        return cls(terms, (columns + offset).astype(np.int32), idf)

    def weights(self, tokens: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Columns and L2-normalised sublinear TF-IDF values of the known tokens."""
        counts = Counter(tokens)
        if not counts or not len(self.terms):
            return np.empty(0, dtype=np.int32), np.empty(0)
        words = np.array(list(counts), dtype=str)
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        at = np.searchsorted(self.terms, words)
        at[at >= len(self.terms)] = 0
        known = self.terms[at] == words
        at, tf = at[known], tf[known]
        values = (1.0 + np.log(tf)) * self.idf[at]
        norm = float(np.sqrt(np.dot(values, values)))
        if norm > 0:
            values = values / norm
        return self.columns[at], values


class CompactClassifier:
    """``predict_proba`` and ``classes_`` of the trained pipeline, in numpy."""

    def __init__(
        self,
        *,
        classes: Sequence[str],
        words: _Vocabulary,
        chars: _Vocabulary,
        coef: np.ndarray,
        intercept: np.ndarray,
        beta: float,
    ) -> None:
        self.classes_ = np.array(list(classes), dtype=object)
        self.words = words
        self.chars = chars
        self.coef = coef  # (n_features, n_classes), float32
        self.intercept = intercept
        self.beta = beta

    @classmethod
    def from_pipeline(cls, pipeline: Any) -> CompactClassifier:
        """From a fitted classifier.build_pipeline() (scikit-learn is not imported here: the
        fitted objects are only read)."""
        vectorizers = dict(pipeline.named_steps["features"].transformer_list)
        words, chars = vectorizers["words"], vectorizers["chars"]
        if (words.analyzer, chars.analyzer, chars.ngram_range) != ("word", "char", (1, 2)):
            raise ValueError("not the pipeline of classifier.build_pipeline()")
        calibrated = pipeline.named_steps["classifier"]
        if len(calibrated.calibrated_classifiers_) != 1 or calibrated.method != "temperature":
            raise ValueError("expected one temperature-scaled classifier (ensemble=False)")
        inner = calibrated.calibrated_classifiers_[0]
        svm = inner.estimator
        # The calibrator fits the SVM on the encoded labels 0..n-1 of its (sorted) classes.
        encoded = all(isinstance(c, int | np.integer) for c in svm.classes_) and [
            int(c) for c in svm.classes_
        ] == list(range(len(calibrated.classes_)))
        same = [str(c) for c in svm.classes_] == [str(c) for c in calibrated.classes_]
        if not (encoded or same) or len(calibrated.classes_) < 3:
            raise ValueError("expected a multi-class model with the calibrator's classes")
        n_words = len(words.vocabulary_)
        return cls(
            classes=[str(c) for c in calibrated.classes_],
            words=_Vocabulary.from_vectorizer(words, 0),
            chars=_Vocabulary.from_vectorizer(chars, n_words),
            coef=np.ascontiguousarray(np.asarray(svm.coef_, dtype=np.float32).T),
            intercept=np.asarray(svm.intercept_, dtype=np.float64),
            beta=float(inner.calibrators[0].beta_),
        )

    def _decision(self, text: str) -> np.ndarray:
        word_cols, word_values = self.words.weights(_WORDS.findall(text.lower()))
        joined = _WHITE_SPACES.sub(" ", text.replace(" ", ""))
        grams = list(joined) + [joined[i : i + 2] for i in range(len(joined) - 1)]
        char_cols, char_values = self.chars.weights(grams)
        columns = np.concatenate([word_cols, char_cols])
        values = np.concatenate([word_values, char_values])
        decision: np.ndarray = values @ self.coef[columns].astype(np.float64) + self.intercept
        return decision

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """As the pipeline's predict_proba: rows of probabilities in ``classes_`` order."""
        out = np.empty((len(texts), len(self.classes_)))
        for row, text in enumerate(texts):
            logits = self._decision(text)
            # sklearn.calibration._convert_to_logits: values that look like probabilities
            # are taken as such (never the case for SVM decision values in practice).
            if np.all((logits >= 0) & (logits <= 1)) and np.isclose(logits.sum(), 1.0):
                logits = np.log(logits + 1e-12)
            scaled = self.beta * logits
            scaled = np.exp(scaled - scaled.max())
            out[row] = scaled / scaled.sum()
        out[(out > 1.0) & (out <= 1.0 + 1e-5)] = 1.0
        return out

    # --- file ------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        with path.open("wb") as fh:
            np.savez_compressed(
                fh,
                format=np.array(FORMAT),
                classes=np.array(list(self.classes_), dtype=str),
                word_terms=self.words.terms,
                word_columns=self.words.columns,
                word_idf=self.words.idf,
                char_terms=self.chars.terms,
                char_columns=self.chars.columns,
                char_idf=self.chars.idf,
                coef=self.coef,
                intercept=self.intercept,
                beta=np.array(self.beta),
            )

    @classmethod
    def load(cls, path: Path) -> CompactClassifier:
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != FORMAT:
                raise ValueError(f"{path.name} has an unknown format")
            return cls(
                classes=[str(c) for c in data["classes"]],
                words=_Vocabulary(data["word_terms"], data["word_columns"], data["word_idf"]),
                chars=_Vocabulary(data["char_terms"], data["char_columns"], data["char_idf"]),
                coef=data["coef"],
                intercept=data["intercept"],
                beta=float(data["beta"]),
            )
