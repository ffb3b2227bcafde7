"""A malformed payload can never succeed: turn it into a DomainError so the consumer terminates it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import InvalidOperation

from salessync.errors import InvalidInput


@contextmanager
def well_formed(event_type: str) -> Iterator[None]:
    try:
        yield
    except (KeyError, ValueError, TypeError, InvalidOperation) as exc:
        raise InvalidInput("payload", f"malformed {event_type} payload: {exc!r}") from exc
