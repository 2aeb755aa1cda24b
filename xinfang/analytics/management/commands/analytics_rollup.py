from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.analytics import quality, rollup


class Command(BaseCommand):
    help = (
        "The analytics rollup: --check compares it with a direct count of the cases (exit 1 on"
        " a difference), --rebuild recomputes it, --compact merges its rows."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true")
        parser.add_argument("--rebuild", action="store_true")
        parser.add_argument("--compact", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["check"] or options["rebuild"] or options["compact"]):
            raise CommandError("say --check, --rebuild or --compact")
        if options["rebuild"]:
            started = time.monotonic()
            rollup.install_triggers_and_rebuild()
            self.stdout.write(f"rebuilt in {time.monotonic() - started:.1f} s")
        if options["compact"]:
            merged = rollup.compact()
            self.stdout.write(f"rows merged: {merged}")
        if options["check"]:
            started = time.monotonic()
            problems = rollup.verify()
            took = time.monotonic() - started
            if not (rollup.triggers_current() and quality.triggers_current()):
                problems.insert(0, "triggers missing or outdated (run migrate or --rebuild)")
            for line in problems[:50]:
                self.stderr.write(line)
            if problems:
                raise CommandError(f"{len(problems)} differences ({took:.1f} s)")
            self.stdout.write(f"rollup exact ({took:.1f} s)")
