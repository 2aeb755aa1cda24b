"""The category classifier: training, evaluation, versioned model files and the current model.

Model: TF-IDF of jieba words plus TF-IDF of character uni- and bigrams (robust to words jieba
splits differently), a linear SVM, and temperature scaling fitted on 3-fold cross-validated
decision values (scikit-learn's CalibratedClassifierCV) so the scores are probabilities
without changing which category ranks first. Hyper-parameters were chosen by 5-fold
cross-validation on the training split only (docs/routing.md).

Each training writes ``routing-<version>.joblib`` and ``routing-<version>.json`` (the manifest:
training-data hash and sources, evaluation on the held-out test split, pass/fail against
``MIN_MACRO_F1``, file checksum). The site uses the newest model that passed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import math
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jieba

from .compact import CompactClassifier
from .conf import model_dir, routing_setting
from .datasets import TEST_FILE, Dataset, Example, public_split, training_set
from .text import classifier_text

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

# scikit-learn (and SciPy, joblib) are imported only where a model is trained, evaluated
# against a baseline or converted: a web process serves the compact form (compact.py) and
# never imports them (about 90 MB of a worker's memory).

logger = logging.getLogger(__name__)

FORMAT = 1
PREFIX = "routing-"
Progress = Callable[[str], None]

PARAMS: dict[str, Any] = {
    "words": "tf-idf, jieba precise mode, sublinear tf",
    "chars": "tf-idf, character 1-2 grams, min_df 2, sublinear tf",
    "classifier": "LinearSVC(C=1.0)",
    "calibration": "temperature scaling, 3-fold, ensemble=False",
}


# The classifier's input is already words separated by spaces (text.classifier_text).
SPACE_SEPARATED = r"(?u)\S+"


def join_chars(text: str) -> str:
    """Character n-grams are taken over the words without the spaces between them."""
    return text.replace(" ", "")


def build_pipeline() -> Pipeline:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(token_pattern=SPACE_SEPARATED, sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=(1, 2),
                    min_df=2,
                    sublinear_tf=True,
                    preprocessor=join_chars,
                ),
            ),
        ]
    )
    calibrated = CalibratedClassifierCV(
        LinearSVC(C=1.0), method="temperature", cv=3, ensemble=False
    )
    return Pipeline([("features", features), ("classifier", calibrated)])


def build_baseline() -> Pipeline:
    """The plain baseline the issue asks for: TF-IDF (scikit-learn defaults) + linear SVM."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    return Pipeline([("tfidf", TfidfVectorizer()), ("svm", LinearSVC())])


def normalise_all(texts: Sequence[str], progress: Progress | None = None) -> list[str]:
    out = []
    for i, text in enumerate(texts, 1):
        out.append(classifier_text(text))
        if progress and (i % 1000 == 0 or i == len(texts)):
            progress(f"segmented {i:,}/{len(texts):,} texts")
    return out


@dataclass
class RoutingModel:
    """A loaded, trained classifier and its manifest. ``pipeline``: the fitted scikit-learn
    pipeline, or its compact form (compact.CompactClassifier: what a loaded model serves);
    both offer ``predict_proba`` and ``classes_``."""

    pipeline: Any
    manifest: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", "unsaved"))

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Every category with its probability, most likely first."""
        probabilities = self.pipeline.predict_proba([classifier_text(text)])[0]
        pairs = zip(self.classes, (float(p) for p in probabilities), strict=True)
        return sorted(pairs, key=lambda pair: pair[1], reverse=True)

    def predict(self, text: str) -> str:
        return self.rank(text)[0][0]


def fit(dataset: Dataset, progress: Progress | None = None) -> Pipeline:
    say = progress or (lambda _msg: None)
    texts = normalise_all(dataset.texts, say)
    say(f"fitting on {len(texts):,} texts, {len(set(dataset.labels))} categories")
    pipeline = build_pipeline()
    pipeline.fit(texts, dataset.labels)
    return pipeline


def evaluate(
    predict: Callable[[str], str], examples: Sequence[Example], progress: Progress | None = None
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class F1, n and prediction latency, one petition at a time
    (segmentation included), as a clerk's request would see it."""
    predicted: list[str] = []
    latencies: list[float] = []
    cpu = 0.0
    for i, example in enumerate(examples, 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        predicted.append(predict(example.text))
        latencies.append((time.perf_counter() - started) * 1000)
        cpu += time.process_time() - cpu_started
        if progress and (i % 500 == 0 or i == len(examples)):
            progress(f"evaluated {i:,}/{len(examples):,}")
    result = metrics(
        [e.label for e in examples], predicted, latencies=latencies if examples else None
    )
    if examples:
        # CPU time as well: wall-clock latency rises when other work shares the machine.
        result["mean_cpu_ms"] = round(cpu * 1000 / len(examples), 3)
    return result


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of sorted values (p95 of 1,521 values: the 1,445th)."""
    if not ordered:
        return 0.0
    return float(ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)])


def metrics(
    truth: Sequence[str], predicted: Sequence[str], *, latencies: Sequence[float] | None = None
) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score

    labels = sorted(set(truth) | set(predicted))
    per_class = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
    result: dict[str, Any] = {
        "n": len(truth),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4) if truth else 0.0,
        "macro_f1": (
            round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4)
            if truth
            else 0.0
        ),
        "per_class_f1": {
            label: round(float(score), 4)
            for label, score in zip(labels, per_class, strict=True)
            if label in set(truth)
        },
    }
    if latencies:
        ordered = sorted(latencies)
        result["mean_latency_ms"] = round(statistics.fmean(ordered), 3)
        result["p95_latency_ms"] = round(percentile(ordered, 95), 3)
    return result


def baseline_metrics(
    train: Dataset, examples: Sequence[Example], progress: Progress | None = None
) -> dict[str, Any]:
    """Train the plain baseline on the same data and score it on the same examples."""
    baseline = build_baseline()
    baseline.fit(normalise_all(train.texts, progress), train.labels)
    predicted = list(baseline.predict(normalise_all([e.text for e in examples])))
    return {
        "model": "TfidfVectorizer() + LinearSVC()",
        **metrics([e.label for e in examples], predicted),
    }


# --- versioned files -------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def train_and_save(
    *,
    directory: Path | None = None,
    with_cases: bool = False,
    limit: int | None = None,
    evaluation_limit: int | None = None,
    min_macro_f1: float | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train on the bundled training split (and the bureau's handled cases), evaluate on the
    held-out test split, write the model file and its manifest; return the manifest."""
    say = progress or (lambda _msg: None)
    directory = directory or model_dir()
    directory.mkdir(parents=True, exist_ok=True)
    threshold = float(min_macro_f1 if min_macro_f1 is not None else routing_setting("MIN_MACRO_F1"))
    started = time.perf_counter()
    data = training_set(
        with_cases=with_cases, limit=limit, max_cases=int(routing_setting("MAX_CASE_EXAMPLES"))
    )
    say(f"training data: {len(data.examples):,} texts from {data.sources}")
    import joblib
    import sklearn

    pipeline = fit(data, say)
    # Evaluated as it will be served: the compact form of the pipeline.
    compact = CompactClassifier.from_pipeline(pipeline)
    model = RoutingModel(pipeline=compact, manifest={})
    say("evaluating on the held-out test split")
    test = public_split(TEST_FILE)
    if evaluation_limit and evaluation_limit < len(test):
        test = test[:: len(test) // evaluation_limit][:evaluation_limit]
    evaluation = evaluate(model.predict, test, say)
    created = datetime.now(UTC)
    data_hash = data.digest()
    version = f"{created:%Y%m%dT%H%M%S%f}-{data_hash[:8]}"
    model_path = directory / f"{PREFIX}{version}.joblib"
    joblib.dump({"format": FORMAT, "pipeline": pipeline}, model_path, compress=3)
    compact_path = directory / f"{PREFIX}{version}.npz"
    compact.save(compact_path)
    manifest = {
        "version": version,
        "created_at": created.isoformat(),
        "file": model_path.name,
        "sha256": _sha256(model_path),
        "compact_file": compact_path.name,
        "compact_sha256": _sha256(compact_path),
        "data": {
            "hash": data_hash,
            "rows": len(data.examples),
            "sources": data.sources,
            "labels": dict(sorted(Counter(data.labels).items())),
        },
        "params": PARAMS,
        "evaluation": {"dataset": TEST_FILE, **evaluation},
        "min_macro_f1": threshold,
        "passed": evaluation["macro_f1"] >= threshold,
        "training_seconds": round(time.perf_counter() - started, 1),
        "libraries": {"scikit-learn": sklearn.__version__, "jieba": jieba.__version__},
    }
    manifest_path = directory / f"{PREFIX}{version}.json"
    tmp = manifest_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(manifest_path)  # the manifest appears last and whole: readers never see half
    say(
        f"model {version}: macro-F1 {evaluation['macro_f1']:.4f}, accuracy "
        f"{evaluation['accuracy']:.4f} -> {'passed' if manifest['passed'] else 'NOT passed'}"
        f" (threshold {threshold})"
    )
    return manifest


def retrain_with_cases(
    *, directory: Path | None = None, progress: Progress | None = None
) -> dict[str, Any] | None:
    """Learn from the bureau's own handled cases: train a new model on the public training split
    plus the accepted cases, unless the newest model that passed was trained on exactly that
    data already (same data hash). Returns the new manifest, or None when nothing changed.
    The new model is used only if it passes evaluation on the held-out public test split."""
    directory = directory or model_dir()
    current = newest_passing(directory)
    data = training_set(with_cases=True, max_cases=int(routing_setting("MAX_CASE_EXAMPLES")))
    if data.sources.get("cases", 0) == 0:
        return None  # nothing of the bureau's own to learn from yet
    if current is not None and current.get("data", {}).get("hash") == data.digest():
        return None
    return train_and_save(directory=directory, with_cases=True, progress=progress)


# Manifests read per folder, kept with the names, sizes and modification times of the files
# they came from: a request then costs a listing of the folder instead of reading and parsing
# every manifest twice (routing_advice and suggest). A file changed within the same tick of
# the file system's clock would keep its time, so only files unchanged for a while are cached
# (as git does with its index).
_manifest_cache: dict[str, tuple[tuple[tuple[str, int, int], ...], list[dict[str, Any]]]] = {}
_SETTLED_NS = 2_000_000_000


def manifests(directory: Path | None = None) -> list[dict[str, Any]]:
    """Every model manifest in the directory, newest first."""
    directory = directory or model_dir()
    if not directory.is_dir():
        return []
    try:
        stats = [(path, path.stat()) for path in directory.glob(f"{PREFIX}*.json")]
    except OSError:  # a file renamed or deleted meanwhile: read afresh
        return _read_manifests(directory)
    stamp = tuple(sorted((p.name, st.st_mtime_ns, st.st_size) for p, st in stats))
    cached = _manifest_cache.get(str(directory))
    if cached is not None and cached[0] == stamp:
        return list(cached[1])
    found = _read_manifests(directory)
    newest = max((st.st_mtime_ns for _p, st in stats), default=0)
    if time.time_ns() - newest > _SETTLED_NS:
        _manifest_cache[str(directory)] = (stamp, found)
    return list(found)


def _read_manifests(directory: Path) -> list[dict[str, Any]]:
    found = []
    for path in directory.glob(f"{PREFIX}*.json"):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            logger.warning("unreadable model manifest %s", path)
    return sorted(
        found, key=lambda m: (m.get("created_at", ""), m.get("version", "")), reverse=True
    )


def newest_passing(directory: Path | None = None) -> dict[str, Any] | None:
    directory = directory or model_dir()
    for manifest in manifests(directory):
        if manifest.get("passed") and (directory / str(manifest.get("file"))).exists():
            return manifest
    return None


def load(manifest: dict[str, Any], directory: Path | None = None) -> RoutingModel:
    """The model in its compact form (compact.py), checked against the manifest. A model
    trained before the compact form existed is converted from its pipeline (then
    scikit-learn is imported in this process)."""
    directory = directory or model_dir()
    compact_name = manifest.get("compact_file")
    if compact_name:
        compact_path = directory / str(compact_name)
        if _sha256(compact_path) != manifest.get("compact_sha256"):
            raise ValueError(f"model file {compact_path.name} does not match its manifest")
        return RoutingModel(pipeline=CompactClassifier.load(compact_path), manifest=manifest)
    pipeline = load_pipeline(manifest, directory)
    return RoutingModel(pipeline=CompactClassifier.from_pipeline(pipeline), manifest=manifest)


def load_pipeline(manifest: dict[str, Any], directory: Path | None = None) -> Pipeline:
    """The fitted scikit-learn pipeline of a model (training, comparison)."""
    import joblib

    directory = directory or model_dir()
    path = directory / str(manifest["file"])
    if _sha256(path) != manifest.get("sha256"):
        raise ValueError(f"model file {path.name} does not match its manifest")
    payload = joblib.load(path)  # our own file, checked against the manifest above
    if payload.get("format") != FORMAT:
        raise ValueError(f"model file {path.name} has an unknown format")
    pipeline: Pipeline = payload["pipeline"]
    return pipeline


_loaded: dict[tuple[str, str], RoutingModel] = {}
_lock = threading.Lock()
_training: dict[str, threading.Thread] = {}  # background trainings of this process, by folder

# What a web request learns about the model (ModelStatus in services.routing_advice).
READY = "ready"
TRAINING = "training"  # none passed yet; one is being trained from the bundled data
UNAVAILABLE = "unavailable"  # none passed and automatic training is off


def current_model(*, train_if_missing: bool | None = None) -> RoutingModel | None:
    """The newest model that passed evaluation, loaded once per process.

    With none on disk and ``train_if_missing`` (default: the ``AUTO_TRAIN`` setting), one is
    trained from the bundled data first, in this thread, with progress in the log (a file lock
    makes concurrent processes wait for a single training). Commands use this; web requests
    use :func:`model_for_request`, which never makes a request wait for a training."""
    directory = model_dir()
    manifest = newest_passing(directory)
    if manifest is None:
        if not (routing_setting("AUTO_TRAIN") if train_if_missing is None else train_if_missing):
            return None
        manifest = _train_once(directory)
        if manifest is None:
            return None
    return _load_cached(directory, manifest)


def model_for_request(*, start_training: bool = True) -> tuple[RoutingModel | None, str]:
    """The current model and its status, for a web request or an API call.

    A fresh installation has no model yet: with ``AUTO_TRAIN`` on, the first request starts
    one training in a background thread (about a minute on the bundled data; the periodic job
    ``routing.ensure_model`` does the same in the worker) and answers ``TRAINING`` with no
    suggestions until it has passed evaluation."""
    directory = model_dir()
    manifest = newest_passing(directory)
    if manifest is not None:
        return _load_cached(directory, manifest), READY
    if not routing_setting("AUTO_TRAIN"):
        return None, UNAVAILABLE
    key = str(directory)
    with _lock:
        thread = _training.get(key)
        if thread is not None:
            # Running, or finished without a model that passed (then not retried until the
            # process restarts: a failing training must not run again on every request).
            return None, TRAINING if thread.is_alive() else UNAVAILABLE
        if not start_training:
            return None, UNAVAILABLE
        thread = threading.Thread(
            target=_train_in_background, args=(directory,), name="routing-train", daemon=True
        )
        _training[key] = thread
        thread.start()
    return None, TRAINING


def _load_cached(directory: Path, manifest: dict[str, Any]) -> RoutingModel:
    key = (str(directory), str(manifest["version"]))
    with _lock:
        if key not in _loaded:
            _loaded.clear()
            _loaded[key] = load(manifest, directory)
        return _loaded[key]


def _train_in_background(directory: Path) -> None:
    with contextlib.suppress(Exception):  # logged by _train_once; the status says unavailable
        _train_once(directory)


def _log_progress(message: str) -> None:
    logger.info("routing: %s", message)


def _train_once(directory: Path) -> dict[str, Any] | None:
    """Train from the bundled data unless a model that passed exists; one process at a time
    (an exclusive lock on a file in the model folder)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".train.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            manifest = newest_passing(directory)  # another process may have finished first
            if manifest is None:
                logger.warning("routing: no model that passed evaluation; training one now")
                trained = train_and_save(directory=directory, progress=_log_progress)
                manifest = trained if trained["passed"] else None
            return manifest
        except Exception:
            logger.exception("routing: training failed")
            raise
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
