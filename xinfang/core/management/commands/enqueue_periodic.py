from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from xinfang.core.schedule import enqueue_due_jobs


class Command(BaseCommand):
    help = (
        "Put due periodic jobs (nightly audit check, deadline sweep, ...) on the task queue. "
        "Run from cron every few minutes, or keep it running with --loop SECONDS."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=int, default=0, metavar="SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for name in enqueue_due_jobs():
                self.stdout.write(f"enqueued {name}")
            if not options["loop"]:
                return
            time.sleep(options["loop"])
