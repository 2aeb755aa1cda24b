from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.routing import classifier, duplicates
from xinfang.routing.datasets import bundled_path, examples_from_rows, read_csv, training_set


class Command(BaseCommand):
    help = (
        "Evaluate the current routing model on a labelled CSV and print ONE JSON line: "
        "accuracy, macro_f1, per_class_f1, n, mean (and p95) prediction latency in ms. "
        "--baseline adds a plain TF-IDF + linear SVM trained on the same training split; "
        "--duplicates evaluates the duplicate detector on labelled pairs instead."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--csv", type=Path, help="labelled CSV (.csv or .csv.gz)")
        parser.add_argument("--text-columns", default="text", help="e.g. title,body")
        parser.add_argument("--label-column", default="label")
        parser.add_argument("--baseline", action="store_true")
        parser.add_argument("--model-version", help="default: the newest model that passed")
        parser.add_argument(
            "--duplicates",
            nargs="?",
            const=str(bundled_path("duplicate-pairs.csv")),
            help="labelled pairs CSV (default: the bundled data/duplicate-pairs.csv)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(message: str) -> None:
            sys.stderr.write(f"[{time.perf_counter() - started:6.1f}s] {message}\n")

        if options["duplicates"]:
            pairs = duplicates.evaluate_pairs(Path(options["duplicates"]))
            self.stdout.write(json.dumps(pairs, ensure_ascii=False))
            return
        if not options["csv"]:
            raise CommandError("give --csv FILE (or --duplicates)")
        path: Path = options["csv"]
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        model = self._model(options["model_version"])
        columns = [c.strip() for c in options["text_columns"].split(",") if c.strip()]
        rows = read_csv(path)
        if rows and (
            missing := [c for c in [*columns, options["label_column"]] if c not in rows[0]]
        ):
            raise CommandError(f"columns not in {path.name}: {', '.join(missing)}")
        examples = [
            e
            for e in examples_from_rows(
                rows, text_columns=columns, label_column=options["label_column"]
            )
            if e.text.strip() and e.label.strip()
        ]
        progress(f"model {model.version}: {len(examples):,} labelled rows from {path.name}")
        model.rank("预热")  # load jieba's dictionary before timing
        result: dict[str, Any] = {
            "csv": path.name,
            "model": model.version,
            **classifier.evaluate(model.predict, examples, progress),
        }
        if options["baseline"]:
            progress("training the baseline on the same training split")
            result["baseline"] = classifier.baseline_metrics(training_set(), examples)
            result["above_baseline"] = result["macro_f1"] > result["baseline"]["macro_f1"]
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _model(self, version: str | None) -> classifier.RoutingModel:
        if version:
            for manifest in classifier.manifests():
                if manifest.get("version") == version:
                    return classifier.load(manifest)
            raise CommandError(f"no model version {version}")
        model = classifier.current_model()
        if model is None:
            raise CommandError("no model passed evaluation; run manage.py routing_train")
        return model
