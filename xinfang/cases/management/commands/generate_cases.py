from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.synthetic import generate_cases


class Command(BaseCommand):
    help = "Generate N synthetic cases (bulk inserts, progress shown), e.g. 100000."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("n", type=int)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--years", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            bar = "#" * int(30 * done / total)
            sys.stderr.write(f"\r[{bar:<30}] {done:,}/{total:,} cases, {rate:,.0f}/s")
            sys.stderr.flush()

        try:
            n = generate_cases(
                options["n"], seed=options["seed"], years=options["years"], progress=progress
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        sys.stderr.write("\n")
        self.stdout.write(f"generated {n:,} cases in {elapsed:.1f} s ({n / elapsed:,.0f} cases/s)")
