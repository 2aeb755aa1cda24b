"""Attachments: type and size limits, checked on the file's content, not only its name."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import PurePath
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.core.errors import DomainError
from xinfang.org.models import User

from .models import Attachment, Case

MAX_BYTES = 20 * 1024 * 1024  # 20 MB per file
MAX_FILES_PER_CASE = 20

# extension -> (kind, content type, magic prefixes)
ALLOWED: dict[str, tuple[str, str, tuple[bytes, ...]]] = {
    ".pdf": ("document", "application/pdf", (b"%PDF",)),
    ".jpg": ("image", "image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image", "image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image", "image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".mp3": ("audio", "audio/mpeg", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    ".wav": ("audio", "audio/wav", (b"RIFF",)),
    ".m4a": ("audio", "audio/mp4", (b"\x00\x00\x00",)),
    ".amr": ("audio", "audio/amr", (b"#!AMR",)),
}


def check_upload(*, name: str, head: bytes, size: int) -> str:
    """The reason an upload is refused, or "" when it is acceptable (type, content, size)."""
    ext = PurePath(name).suffix.lower()
    if ext not in ALLOWED:
        return _(
            "File type %(ext)s is not accepted. Accepted: PDF, JPG, PNG, MP3, WAV, M4A, AMR."
        ) % {"ext": ext or "?"}
    if size <= 0 or size > MAX_BYTES:
        return _("A file must be between 1 byte and %(mb)d MB.") % {"mb": MAX_BYTES // 2**20}
    if not any(head.startswith(m) for m in ALLOWED[ext][2]):
        return _("The content of %(name)s does not match its type.") % {"name": name}
    return ""


def attachment_add(
    *, actor: User | None, case: Case, name: str, stream: IO[bytes], size: int
) -> Attachment:
    """Store one file with the case. Refuses unknown types, content that does not match its
    extension, empty and oversize files."""
    from django.core.files.base import ContentFile

    data = stream.read(MAX_BYTES + 1)
    error = check_upload(name=name, head=data[:16], size=min(size, len(data)) or size)
    if error:
        raise DomainError(error, code="attachment_invalid", field="attachments")
    ext = PurePath(name).suffix.lower()
    kind, content_type, _magics = ALLOWED[ext]
    with transaction.atomic():
        if case.attachments.count() >= MAX_FILES_PER_CASE:
            raise DomainError(
                _("At most %(n)d files per case.") % {"n": MAX_FILES_PER_CASE},
                code="attachment_count",
                field="attachments",
            )
        attachment = Attachment(
            case=case,
            kind=kind,
            original_name=PurePath(name).name[:200],
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor,
        )
        attachment.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(data), save=False)
        attachment.save()
        audit_log(
            actor=actor,
            action="case.attachment.add",
            obj=attachment,
            after={"case": case.number, "name": attachment.original_name, "size": attachment.size},
        )
    return attachment
