from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand

from xinfang.routing.fingerprints import index_missing


class Command(BaseCommand):
    help = (
        "Fingerprint the cases and key the petitioners that have no routing index yet (cases "
        "written by bulk inserts such as generate_cases bypass the signals)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            sys.stderr.write(f"\rfingerprinted {done:,}/{total:,} cases, {rate:,.0f}/s")
            sys.stderr.flush()

        cases, people = index_missing(batch=options["batch"], progress=progress)
        sys.stderr.write("\n")
        elapsed = time.perf_counter() - started
        self.stdout.write(f"indexed {cases:,} cases and {people:,} petitioners in {elapsed:.1f} s")
