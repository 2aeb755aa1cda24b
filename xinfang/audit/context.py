"""The request's client address, available to services without passing the request around."""

from __future__ import annotations

from contextvars import ContextVar

client_address: ContextVar[str | None] = ContextVar("client_address", default=None)
