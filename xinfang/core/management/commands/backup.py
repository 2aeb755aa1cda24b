from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from xinfang.core.backup import backup


class Command(BaseCommand):
    help = "Write every row and stored file to one .tar.gz (restore with manage.py restore)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("target", nargs="?", help="file to write (default var/backups/...)")

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["target"]
        if not target:
            folder = Path("var/backups")
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"xinfang-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        backup(Path(target), progress=lambda m: self.stdout.write(f"  {m}"))
        self.stdout.write(f"backup written: {target}")
