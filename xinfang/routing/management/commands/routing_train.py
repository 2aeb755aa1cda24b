from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.routing import classifier


class Command(BaseCommand):
    help = (
        "Train the category classifier on the bundled public data (and, with --with-cases, the "
        "bureau's handled cases), evaluate it on the held-out test split and write a new "
        "versioned model file with its manifest."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--with-cases",
            action="store_true",
            help="also learn from cases accepted by a unit (the final category is the label)",
        )
        parser.add_argument("--output-dir", type=Path, help="default: XINFANG_ROUTING MODEL_DIR")
        parser.add_argument("--limit", type=int, help="use an even sample of N training rows")
        parser.add_argument(
            "--evaluation-limit",
            type=int,
            help="evaluate on an even sample of N test rows (quick checks; default: all 1,521)",
        )
        parser.add_argument("--min-macro-f1", type=float, help="pass mark (default: setting)")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when a model that passed evaluation exists already",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["output_dir"]
        if options["if_missing"] and classifier.newest_passing(directory) is not None:
            self.stdout.write("a model that passed evaluation exists; nothing to do")
            return
        started = time.perf_counter()

        def progress(message: str) -> None:
            sys.stderr.write(f"[{time.perf_counter() - started:6.1f}s] {message}\n")
            sys.stderr.flush()

        manifest = classifier.train_and_save(
            directory=directory,
            with_cases=options["with_cases"],
            limit=options["limit"],
            evaluation_limit=options["evaluation_limit"],
            min_macro_f1=options["min_macro_f1"],
            progress=progress,
        )
        summary = {
            "version": manifest["version"],
            "passed": manifest["passed"],
            "data_hash": manifest["data"]["hash"],
            "rows": manifest["data"]["rows"],
            "sources": manifest["data"]["sources"],
            **{k: manifest["evaluation"][k] for k in ("accuracy", "macro_f1", "n")},
            "seconds": manifest["training_seconds"],
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        if not manifest["passed"]:
            raise CommandError("the new model did not pass evaluation; the site keeps the last one")
