from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.reference import ensure_categories
from xinfang.core.errors import DomainError
from xinfang.org import demo
from xinfang.org.services import seed_demo_organisation, seed_demo_users


class Command(BaseCommand):
    help = "Load the Tonghai County demo data (idempotent: existing data is kept)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-users", action="store_true", help="only divisions and units, no demo accounts"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = seed_demo_organisation(progress=lambda m: self.stdout.write(f"  {m}"))
        self.stdout.write(f"organisation ready: {counts}")
        self.stdout.write(f"categories: {ensure_categories()}")
        if options["no_users"]:
            return
        try:
            rows = seed_demo_users()
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"demo accounts (password {demo.DEMO_PASSWORD}):")
        for username, role, name in rows:
            self.stdout.write(f"  {username:<11} {role} ({name})")
