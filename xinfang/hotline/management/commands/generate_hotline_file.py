from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.hotline.generate import generate_rows, write_file


class Command(BaseCommand):
    help = (
        "Write a synthetic hotline file (.csv or .xlsx) of N orders, e.g. for the import "
        "benchmark: generate_hotline_file /tmp/orders.csv --rows 100000"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("output")
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--prefix", default="RX", help="order number prefix")
        parser.add_argument(
            "--bad-every", type=int, default=0, help="make every K-th row invalid (0: none)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["output"])
        if path.suffix.lower() not in {".csv", ".xlsx"}:
            raise CommandError("the output must end in .csv or .xlsx")
        n = write_file(
            path,
            generate_rows(
                options["rows"],
                seed=options["seed"],
                prefix=options["prefix"],
                bad_every=options["bad_every"],
            ),
        )
        self.stdout.write(f"wrote {n:,} orders to {path}")
