from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from xinfang.routing import dataprep


class Command(BaseCommand):
    help = (
        "Rebuild the derived routing data files (stop words, raw test check set) from the "
        "bundled public data; with --source DIR, first copy the public CSV files from DIR."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--source", type=Path, help="folder with complaints-*.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        def say(message: str) -> None:
            self.stderr.write(message)

        if options["source"]:
            dataprep.copy_sources(options["source"], say)
        words = dataprep.derive_stopwords(say)
        dataprep.write_stopwords(words)
        self.stdout.write(f"stopwords.txt: {len(words)} words")
        rows = dataprep.derive_raw_test(say)
        dataprep.write_csv_gz(dataprep.RAW_TEST_FILE, rows)
        self.stdout.write(f"{dataprep.RAW_TEST_FILE}: {len(rows)} raw messages with a label")
