from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.errors import DomainError
from xinfang.open311.models import Scope
from xinfang.open311.services import api_client_issue
from xinfang.org.models import User


class Command(BaseCommand):
    help = (
        "Issue an API key for a client system (Open311 app, 12345 platform). The key is "
        "printed once; only its SHA-256 is stored."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", help="name of the client system, e.g. '12345 platform'")
        parser.add_argument(
            "--scope",
            action="append",
            choices=Scope.values,
            required=True,
            help="what the key may do (repeat for several)",
        )
        parser.add_argument(
            "--user",
            help="act as this existing account (default: a new service account that cannot log in)",
        )
        parser.add_argument("--callback-url", default="", help="where to POST status changes")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        try:
            client, key = api_client_issue(
                actor=None,
                name=options["name"],
                scopes=options["scope"],
                user=user,
                callback_url=options["callback_url"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"issued for {client.name} (scopes: {', '.join(client.scopes)}; acts as "
            f"{client.user.username}). Keep the key safe; it is not shown again:"
        )
        self.stdout.write(key)
