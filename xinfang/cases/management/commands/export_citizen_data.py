from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.privacy import citizen_data_export
from xinfang.core.errors import DomainError
from xinfang.org.models import User


class Command(BaseCommand):
    help = "Everything held about one person (by ID number), as JSON — PIPL art. 45."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--id-number", required=True)
        parser.add_argument("--as-user", required=True, help="staff user answering the request")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["as_user"]).first()
        if actor is None:
            raise CommandError("no such user")
        try:
            data = citizen_data_export(actor=actor, id_number=options["id_number"])
        except DomainError as exc:
            raise CommandError(f"{options['as_user']} may not export personal data") from exc
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
