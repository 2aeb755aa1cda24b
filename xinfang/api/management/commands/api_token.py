"""Tokens for systems that use the REST API.

    manage.py api_token issue <username> --name "12345 platform" [--days 365]
    manage.py api_token list [<username>]
    manage.py api_token revoke <id>

The token is printed once, on issue; only its SHA-256 digest is stored.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.api.models import ApiToken
from xinfang.api.selectors import api_tokens
from xinfang.api.services import api_token_issue, api_token_revoke
from xinfang.core.errors import DomainError
from xinfang.org.models import User


class Command(BaseCommand):
    help = "Issue, list or revoke REST API tokens (the token is shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        issue = sub.add_parser("issue", help="issue a token for a user")
        issue.add_argument("username")
        issue.add_argument("--name", required=True, help="the system that will hold it")
        issue.add_argument("--days", type=int, default=None, help="valid for N days")
        listing = sub.add_parser("list", help="list tokens (prefixes only)")
        listing.add_argument("username", nargs="?", default="")
        revoke = sub.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        op = options["op"]
        try:
            if op == "issue":
                self._issue(options)
            elif op == "list":
                self._list(options["username"])
            else:
                self._revoke(options["id"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _issue(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        issued = api_token_issue(actor=None, user=user, name=options["name"], days=options["days"])
        expires = issued.token.expires_at.isoformat() if issued.token.expires_at else "never"
        self.stderr.write(
            f"token {issued.token.pk} for {user.username} ({user.role}), expires {expires}. "
            "Store it now; it is not shown again:"
        )
        self.stdout.write(issued.key)

    def _list(self, username: str) -> None:
        for token in api_tokens(username=username):
            state = "revoked" if token.revoked_at else "active"
            used = (
                f"last used {token.last_used_at:%Y-%m-%d %H:%M}"
                if token.last_used_at
                else "never used"
            )
            fields = [str(token.pk), f"{token.prefix}…", token.user.username, token.name]
            fields += [state, f"created {token.created_at:%Y-%m-%d}", used]
            self.stdout.write("\t".join(fields))

    def _revoke(self, pk: int) -> None:
        token = ApiToken.objects.filter(pk=pk).first()
        if token is None:
            raise CommandError(f"no token {pk}")
        api_token_revoke(actor=None, token=token)
        self.stdout.write(f"token {pk} ({token.prefix}…) revoked")
