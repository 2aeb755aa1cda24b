from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.errors import DomainError
from xinfang.org.demo import DEMO_PASSWORD

from ...demo import seed_demo_dispute_users


class Command(BaseCommand):
    help = "Demo accounts of the mediation centre and two towns (idempotent; after seed_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = seed_demo_dispute_users()
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"dispute demo accounts (password {DEMO_PASSWORD}):")
        for username, role, name in rows:
            self.stdout.write(f"  {username:<11} {role} ({name})")
