from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.errors import DomainError
from xinfang.org.models import User

from ...demo import seed_demo_funds


class Command(BaseCommand):
    help = "The two 2022 special funds of DOMAIN.md §7 (idempotent; after seed_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            projects = seed_demo_funds()
        except (DomainError, User.DoesNotExist) as exc:
            raise CommandError(f"seed_funds_demo: {exc} (run seed_demo first)") from exc
        for p in projects:
            self.stdout.write(f"  {p.year} {p.name}: {p.budget} 元, {p.lines.count()} lines")
