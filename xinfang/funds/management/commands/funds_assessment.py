from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...assessment import assess
from ...selectors import fund_overview


class Command(BaseCommand):
    help = "Print the self-assessment table (绩效自评表) of every project of a year."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        overview = fund_overview(options["year"], today=timezone.localdate())
        if not overview:
            raise CommandError(f"no special-fund projects in {options['year']}")
        for pf in overview:
            self.stdout.write(assess(pf).as_text())
            self.stdout.write("")
