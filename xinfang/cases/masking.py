"""Masking of personal data for people who do not need to see it (PIPL: least privilege)."""

from __future__ import annotations


def mask(value: str, keep_start: int = 3, keep_end: int = 4) -> str:
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return value[:1] + "*" * (len(value) - 1)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """13800001111 -> 138****1111."""
    return mask(phone, 3, 4)


def mask_id_number(id_number: str) -> str:
    """530423199001011234 -> 5304************34."""
    return mask(id_number, 4, 2)
