"""Attempt limits for the citizen portal, kept in Django's cache framework.

Each limited key (a client address, a case number) has ``limit`` slots. An attempt first
claims a free slot with ``cache.add`` — atomic on every Django cache backend (the database
cache through its unique key) — and only then is the query code compared. So however many
requests arrive at once, no more than ``limit`` codes are tried per key and window. A
successful attempt gives its slot back; a failed one keeps it for ``window`` seconds. When the
last slot is taken by a failure, the key is locked for ``lockout`` seconds.

Keys are hashed: the cache holds no addresses or case numbers.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from django.core.cache import BaseCache, caches


@dataclass(frozen=True)
class Limit:
    scope: str  # e.g. "lookup-ip"
    limit: int
    window: int  # seconds a failure counts
    lockout: int  # seconds a key stays locked once the limit is reached


@dataclass
class Attempt:
    """Slots claimed for one attempt; give them back with :meth:`Throttle.succeeded`."""

    claimed: list[str] = field(default_factory=list)
    locked_until: float | None = None  # set when the attempt was refused

    @property
    def allowed(self) -> bool:
        return self.locked_until is None


class Throttle:
    def __init__(self, cache_alias: str) -> None:
        self.cache: BaseCache = caches[cache_alias]

    @staticmethod
    def _base(limit: Limit, value: str) -> str:
        digest = hashlib.sha256(f"{limit.scope}\0{value}".encode()).hexdigest()[:32]
        return f"xf-throttle:{limit.scope}:{digest}"

    def _slots(self, limit: Limit, value: str) -> list[str]:
        base = self._base(limit, value)
        return [f"{base}:{i}" for i in range(limit.limit)]

    def _lock_key(self, limit: Limit, value: str) -> str:
        return f"{self._base(limit, value)}:lock"

    def locked_until(self, limit: Limit, value: str, *, now: float | None = None) -> float | None:
        """When the key opens again, or None when it is open now."""
        now = time.time() if now is None else now
        until = self.cache.get(self._lock_key(limit, value))
        if until is not None and float(until) > now:
            return float(until)
        taken = self.cache.get_many(self._slots(limit, value))
        if len(taken) >= limit.limit:
            return min(float(t) for t in taken.values()) + limit.window
        return None

    def used(self, limit: Limit, value: str) -> int:
        return len(self.cache.get_many(self._slots(limit, value)))

    def _claim(self, limit: Limit, value: str, now: float) -> str | None:
        slots = self._slots(limit, value)
        taken = self.cache.get_many(slots)
        for slot in slots:
            if slot not in taken and self.cache.add(slot, now, timeout=limit.window):
                return slot
        return None

    def attempt(self, checks: list[tuple[Limit, str]], *, now: float | None = None) -> Attempt:
        """Claim one slot under every (limit, value); refuse if any of them is full or
        locked (and give back what was claimed)."""
        now = time.time() if now is None else now
        attempt = Attempt()
        for limit, value in checks:
            until = self.cache.get(self._lock_key(limit, value))
            slot = (
                None if until is not None and float(until) > now else self._claim(limit, value, now)
            )
            if slot is None:
                self.release(attempt)
                attempt.claimed = []
                attempt.locked_until = (
                    self.locked_until(limit, value, now=now) or now + limit.window
                )
                return attempt
            attempt.claimed.append(slot)
        return attempt

    def release(self, attempt: Attempt) -> None:
        if attempt.claimed:
            self.cache.delete_many(attempt.claimed)

    def succeeded(self, attempt: Attempt) -> None:
        self.release(attempt)

    def failed(self, attempt: Attempt, checks: list[tuple[Limit, str]]) -> bool:
        """Keep the slots; lock every key whose slots are all taken. True if any is locked."""
        now = time.time()
        locked = False
        for limit, value in checks:
            if self.used(limit, value) >= limit.limit:
                self.cache.set(self._lock_key(limit, value), now + limit.lockout, limit.lockout)
                locked = True
        return locked

    def clear(self, limit: Limit, value: str) -> None:
        self.cache.delete_many([*self._slots(limit, value), self._lock_key(limit, value)])
