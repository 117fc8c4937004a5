"""Login throttling: a growing wait after each failed password, per user name and per client address.

After the n-th failure in a row (within ``window``) the next attempt for that user name, and from that
client address, is held for ``base_delay * 2**(n-1)`` seconds (at most ``max_delay``); at
``lockout_after`` failures the key is locked out for ``lockout`` seconds. A successful login clears the
user name's count (not the address's: a known account must not reset the count of an address spraying
other names). Addresses are allowed more failures than names (a training room behind one router
shares one address).

The policy is pure (``now`` is passed in); ``regqa.app.gate`` applies it to ``POST /login``.
Defaults can be changed with environment variables (documented in the README):
``REGQA_LOGIN_DELAY`` (seconds), ``REGQA_LOGIN_LOCKOUT`` (failures per user name),
``REGQA_LOGIN_ADDRESS_LOCKOUT`` (failures per address), ``REGQA_LOGIN_LOCKOUT_MINUTES``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Policy:
    base_delay: float = 1.0  # wait after the first failure, doubled after each further one
    max_delay: float = 30.0
    lockout_after: int = 10  # failures in a row (per user name) that lock it out
    address_lockout_after: int = 30  # the same, per client address
    address_free: int = 3  # failures from one address before its waits begin
    lockout: float = 15 * 60.0
    window: float = 15 * 60.0  # failures older than this (with none since) are forgotten
    max_keys: int = 20_000  # tracked names and addresses (memory stays bounded)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Policy:
        env = dict(os.environ if env is None else env)

        def number(name: str, default: float, kind=float):
            try:
                value = kind(env[name]) if env.get(name) else default
            except ValueError:
                return default
            return value if value > 0 else default

        minutes = number("REGQA_LOGIN_LOCKOUT_MINUTES", cls.lockout / 60)
        return cls(
            base_delay=number("REGQA_LOGIN_DELAY", cls.base_delay),
            lockout_after=number("REGQA_LOGIN_LOCKOUT", cls.lockout_after, int),
            address_lockout_after=number("REGQA_LOGIN_ADDRESS_LOCKOUT", cls.address_lockout_after, int),
            lockout=minutes * 60,
            window=max(cls.window, minutes * 60),
        )


@dataclass
class _Record:
    failures: int = 0
    last_failure: float = 0.0
    not_before: float = 0.0  # the next attempt is held until then
    locked_until: float = 0.0
    reported: float = 0.0  # the lock already logged (locked_until of that report)


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may proceed now: ``wait`` seconds to hold it first, or refused (locked)."""

    locked: bool
    wait: float  # seconds: the hold before the attempt (or, when locked, until the lock ends)
    key: str = ""  # which key decided ("user" or "address")

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.wait))


@dataclass
class LoginThrottle:
    policy: Policy = field(default_factory=Policy)
    _records: dict[tuple[str, str], _Record] = field(default_factory=dict)

    # ------------------------------------------------------------ queries

    def verdict(self, user: str, address: str, now: float) -> Verdict:
        """What to do with an attempt now (does not change any count)."""
        worst = Verdict(False, 0.0)
        for kind, key in (("user", user), ("address", address)):
            rec = self._records.get((kind, key))
            if rec is None:
                continue
            self._expire(rec, now)
            if rec.locked_until > now:
                return Verdict(True, rec.locked_until - now, kind)
            if rec.not_before - now > worst.wait:
                worst = Verdict(False, rec.not_before - now, kind)
        return worst

    def failures(self, kind: str, key: str) -> int:
        rec = self._records.get((kind, key))
        return rec.failures if rec else 0

    # ------------------------------------------------------------ outcomes

    def failed(self, user: str, address: str, now: float) -> Verdict:
        """Record a failed attempt; returns the hold (or lock) the next attempt will meet."""
        self._prune(now)
        for kind, key in (("user", user), ("address", address)):
            rec = self._records.setdefault((kind, key), _Record())
            self._expire(rec, now)
            rec.failures += 1
            rec.last_failure = now
            limit = self.policy.lockout_after if kind == "user" else self.policy.address_lockout_after
            counted = rec.failures if kind == "user" else rec.failures - self.policy.address_free
            if rec.failures >= limit:
                rec.locked_until = now + self.policy.lockout
            elif counted > 0:
                rec.not_before = now + min(self.policy.max_delay, self.policy.base_delay * 2 ** (counted - 1))
        return self.verdict(user, address, now)

    def succeeded(self, user: str, address: str, now: float) -> None:  # noqa: ARG002 - the address keeps its count
        self._records.pop(("user", user), None)

    def newly_locked(self, kind: str, key: str) -> bool:
        """True once per lock: the lock has not been logged yet."""
        rec = self._records.get((kind, key))
        if rec is None or rec.locked_until <= 0 or rec.reported == rec.locked_until:
            return False
        rec.reported = rec.locked_until
        return True

    # ------------------------------------------------------------ housekeeping

    def _expire(self, rec: _Record, now: float) -> None:
        if rec.locked_until and rec.locked_until <= now:  # a lock served in full starts the count afresh
            rec.failures, rec.locked_until, rec.not_before = 0, 0.0, 0.0
        elif not rec.locked_until and rec.failures and now - rec.last_failure > self.policy.window:
            rec.failures, rec.not_before = 0, 0.0

    def _prune(self, now: float) -> None:
        if len(self._records) < self.policy.max_keys:
            return
        for k, rec in list(self._records.items()):
            if rec.locked_until <= now and now - rec.last_failure > self.policy.window:
                del self._records[k]
        if len(self._records) >= self.policy.max_keys:  # still full: forget the oldest tenth
            for k in sorted(self._records, key=lambda k: self._records[k].last_failure)[
                : self.policy.max_keys // 10 + 1
            ]:
                del self._records[k]
