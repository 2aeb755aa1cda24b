from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.backup import restore


class Command(BaseCommand):
    help = "Restore a backup into a freshly migrated, empty database (and its files)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore(Path(options["source"]), progress=lambda m: self.stdout.write(f"  {m}"))
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("restore complete; run manage.py verify_audit to check the chain")
