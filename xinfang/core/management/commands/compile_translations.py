"""Compile locale/*/LC_MESSAGES/django.po to .mo with polib (no GNU gettext needed).

--check fails when a .mo is missing or stale, or when a zh_Hans message is untranslated or
fuzzy, so the committed translations are always complete and compiled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile .po translations to .mo with polib; --check verifies they are complete."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                po = polib.pofile(str(po_path))
                mo_path = po_path.with_suffix(".mo")
                if po_path.parent.parent.name.startswith("zh"):
                    missing = [e.msgid for e in po.untranslated_entries()]
                    missing += [e.msgid for e in po.fuzzy_entries()]
                    problems += [f"{po_path}: untranslated or fuzzy: {m!r}" for m in missing]
                if options["check"]:
                    fresh = po.to_binary()
                    if not mo_path.exists() or mo_path.read_bytes() != fresh:
                        problems.append(f"{mo_path} is missing or stale: run make messages")
                else:
                    po.save_as_mofile(str(mo_path))
                    self.stdout.write(
                        f"compiled {mo_path} ({len(po.translated_entries())} messages)"
                    )
        if problems:
            raise CommandError("\n".join(problems[:50]))
