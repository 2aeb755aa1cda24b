from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.audit.services import verify_chain


class Command(BaseCommand):
    help = "Walk the hash-chained audit trail; exit non-zero at the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            where = f"record {report.broken_at}" if report.broken_at else "chain head"
            raise CommandError(
                f"audit chain BROKEN at {where}: {report.reason} "
                f"({report.checked} records verified before it)"
            )
        self.stdout.write(
            f"audit chain OK: {report.checked} records verified, last hash {report.last_hash[:16]}…"
        )
