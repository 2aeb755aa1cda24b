from __future__ import annotations

import csv
import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.dateparse import parse_date

from xinfang.hotline.models import HotlineOrder
from xinfang.hotline.selectors import status_export_rows


class Command(BaseCommand):
    help = "Write the outbound status export (CSV) of hotline orders, for the 12345 platform."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--since", help="only orders received on or after YYYY-MM-DD")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        qs = HotlineOrder.objects.all()
        since = parse_date(options["since"] or "")
        if since:
            qs = qs.filter(received_at__date__gte=since)
        if options["output"]:
            with open(options["output"], "w", newline="", encoding="utf-8-sig") as fh:
                self._write(fh, qs)
        else:
            self._write(sys.stdout, qs)

    def _write(self, out: Any, qs: Any) -> None:
        writer = csv.writer(out)
        for row in status_export_rows(qs):
            writer.writerow(row)
