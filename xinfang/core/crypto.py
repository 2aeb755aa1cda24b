"""Encryption of personal data at rest (个人信息保护法; GB/T 22239 level 3).

ID-card numbers and phone numbers are stored encrypted (AES-256-GCM from the maintained
``cryptography`` package by default; SM4 via ``gmssl`` for national-cryptography deployments,
setting ``XINFANG_DATA_CIPHER=sm4``) and found again through keyed hashes (blind indexes):
HMAC-SHA256 with a separate key, so equality search works without decrypting.

Stored form: ``enc1:<cipher>:<base64>``, so a value names the cipher that wrote it and a
deployment can switch ciphers without rewriting old rows at once.

Keys: ``XINFANG_DATA_KEY`` (base64 of 32 random bytes) from the environment; both the
encryption key and the index key are derived from it with HKDF. Development and tests derive
it from SECRET_KEY; the production profile requires it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "enc1:"


class DecryptionError(ValueError):
    pass


@cache
def _master_key() -> bytes:
    raw = getattr(settings, "XINFANG_DATA_KEY", "") or ""
    if raw:
        key = base64.b64decode(raw)
        if len(key) != 32:
            raise ValueError("XINFANG_DATA_KEY must be base64 of 32 bytes")
        return key
    return hashlib.sha256(("xinfang-data-key:" + settings.SECRET_KEY).encode()).digest()


@cache
def _derived(purpose: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose).derive(
        _master_key()
    )


def cipher_name() -> str:
    return str(getattr(settings, "XINFANG_DATA_CIPHER", "aes") or "aes")


def encrypt(plaintext: str) -> str:
    if plaintext == "":
        return ""
    data = plaintext.encode("utf-8")
    if cipher_name() == "sm4":
        body = _sm4_encrypt(data)
        return f"{PREFIX}sm4:{base64.b64encode(body).decode()}"
    nonce = os.urandom(12)
    sealed = AESGCM(_derived(b"xinfang-aes-gcm")).encrypt(nonce, data, b"xinfang")
    return f"{PREFIX}aes:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(stored: str) -> str:
    if not stored or not stored.startswith(PREFIX):
        return stored  # empty, or a legacy plaintext value not yet migrated
    try:
        _prefix, name, payload = stored.split(":", 2)
        body = base64.b64decode(payload)
        if name == "aes":
            plain = AESGCM(_derived(b"xinfang-aes-gcm")).decrypt(body[:12], body[12:], b"xinfang")
        elif name == "sm4":
            plain = _sm4_decrypt(body)
        else:
            raise DecryptionError(f"unknown cipher {name}")
        return plain.decode("utf-8")
    except DecryptionError:
        raise
    except Exception as exc:  # wrong key, tampered value
        raise DecryptionError("cannot decrypt a stored value (wrong key or altered data)") from exc


def blind_index(value: str) -> str:
    """Keyed hash of a normalised value, for equality lookups of encrypted data."""
    normalised = "".join(value.split()).upper()
    if not normalised:
        return ""
    return hmac.new(_derived(b"xinfang-blind-index"), normalised.encode(), "sha256").hexdigest()


# SM4 (GB/T 32907) in CBC mode with a random IV, then HMAC-SHA256 over IV and ciphertext
# (encrypt-then-MAC), because gmssl offers no authenticated mode.
def _sm4_encrypt(data: bytes) -> bytes:
    from gmssl.sm4 import SM4_ENCRYPT, CryptSM4

    iv = os.urandom(16)
    sm4 = CryptSM4()
    sm4.set_key(_derived(b"xinfang-sm4", 16), SM4_ENCRYPT)
    ct = bytes(sm4.crypt_cbc(iv, data))
    tag = hmac.new(_derived(b"xinfang-sm4-mac"), iv + ct, "sha256").digest()
    return iv + ct + tag


def _sm4_decrypt(body: bytes) -> bytes:
    from gmssl.sm4 import SM4_DECRYPT, CryptSM4

    iv, ct, tag = body[:16], body[16:-32], body[-32:]
    expected = hmac.new(_derived(b"xinfang-sm4-mac"), iv + ct, "sha256").digest()
    if not hmac.compare_digest(tag, expected):
        raise DecryptionError("SM4 value failed its integrity check")
    sm4 = CryptSM4()
    sm4.set_key(_derived(b"xinfang-sm4", 16), SM4_DECRYPT)
    return bytes(sm4.crypt_cbc(iv, ct))
