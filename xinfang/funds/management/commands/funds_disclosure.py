from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xinfang.audit.services import audit_log

from ...disclosure import FORMATS, build, render


class Command(BaseCommand):
    help = (
        "Write the public project text (项目文本公开) of a year's special funds, generated "
        "from the data, as .docx or .pdf (from the suffix of --out)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", required=True, help="file.docx or file.pdf")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        fmt = out.suffix.lower()
        if fmt not in FORMATS:
            raise CommandError(f"--out must end in .docx or .pdf, not {out.suffix or '(none)'}")
        doc = build(options["year"], today=timezone.localdate())
        if not doc.parts:
            raise CommandError(f"no special-fund projects in {options['year']}")
        data = render(doc, fmt)
        out.write_bytes(data)
        audit_log(
            actor=None,
            action="funds.disclosure_export",
            object_type="funds.disclosure",
            object_id=str(options["year"]),
            object_repr=doc.title,
            after={"format": fmt, "bytes": len(data), "file": out.name},
        )
        self.stdout.write(f"{out}: {len(data)} bytes, {len(doc.parts)} sections")
