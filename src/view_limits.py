"""The rate limit each view declares where it is declared, read by src/ratelimit.py: a leaf
(imports nothing from src), so that any view, /metrics too, can declare its limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ViewLimit:
    """The limit a view declares: the setting that holds it ("600 per minute"), None for no
    view limit; counted per client address or per user; counted against the address limit."""

    setting: str | None
    per_address: bool = False
    address_limited: bool = True


DEFAULT_LIMIT = ViewLimit("RATELIMIT_DEFAULT")  # a view that declares nothing
NOT_RATE_LIMITED = ViewLimit(None, address_limited=False)


def limit_per_address(*, setting: str) -> Callable[[F], F]:
    """Declare that a view is limited per client address by `setting`, with a token or not:
    where a password is checked, guesses (with a stolen token too) are held back."""

    def declare(view: F) -> F:
        view.rate_limit = ViewLimit(setting, per_address=True)  # type: ignore[attr-defined]
        return view

    return declare


def not_rate_limited(view: F) -> F:
    """Declare that a view is never rate limited, not even per address: probes and the
    scraper must not be starved by a flood from their address."""
    view.rate_limit = NOT_RATE_LIMITED  # type: ignore[attr-defined]
    return view


def limit_of(view: Callable[..., Any] | None) -> ViewLimit:
    """The limit a view declares; RATELIMIT_DEFAULT per user when it declares none."""
    declared: ViewLimit = getattr(view, "rate_limit", DEFAULT_LIMIT)
    return declared
