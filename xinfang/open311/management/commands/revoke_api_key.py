from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.open311.models import ApiClient
from xinfang.open311.services import api_client_revoke


class Command(BaseCommand):
    help = "Revoke the API key of a client system (by name); list the clients with --list."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", nargs="?")
        parser.add_argument("--list", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"] or not options["name"]:
            for c in ApiClient.objects.select_related("user"):
                state = "active" if c.is_active else f"revoked {c.revoked_at:%Y-%m-%d}"
                used = f"{c.last_used_at:%Y-%m-%d %H:%M}" if c.last_used_at else "never"
                self.stdout.write(
                    f"{c.name}\t{c.key_prefix}…\t{','.join(c.scopes)}\t{c.user.username}"
                    f"\t{state}\tlast used {used}"
                )
            return
        client = ApiClient.objects.filter(name=options["name"]).first()
        if client is None:
            raise CommandError(f"no client system named {options['name']!r}")
        api_client_revoke(actor=None, client=client)
        self.stdout.write(f"revoked {client}")
