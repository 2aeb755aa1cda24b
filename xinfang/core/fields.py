from __future__ import annotations

from typing import Any

from django.db import models

from .crypto import decrypt, encrypt


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text encrypted at rest (xinfang.core.crypto); Python code sees plaintext.

    It cannot be filtered on: store a blind index beside it (crypto.blind_index)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if isinstance(value, str) and value and not value.startswith("enc1:"):
            return encrypt(value)
        return value
