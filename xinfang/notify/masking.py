"""Masked recipients for the record and the logs (PIPL: least privilege)."""

from __future__ import annotations

from xinfang.cases.masking import mask_phone


def mask_email(address: str) -> str:
    """zhang.san@example.com -> z*******@example.com."""
    local, at, domain = address.partition("@")
    if not at:
        return mask_phone(address)
    return f"{local[:1]}{'*' * max(len(local) - 1, 1)}@{domain}"


def mask_recipient(address: str) -> str:
    return mask_email(address) if "@" in address else mask_phone(address)
