"""Domain error families. Domains raise these (or subclasses); the web layer maps each family to a status once.

No framework imports here: domain packages depend on this module only.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every business-rule failure. `code` is a stable machine-readable name."""

    code = "domain_error"
    title = "Request failed"

    def __init__(self, detail: str = "", *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code:
            self.code = code
        self.extra = extra


class NotFound(DomainError):
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    code = "conflict"
    title = "Conflict"


class InvalidInput(DomainError):
    """Well-formed but invalid input; `field` names the offending field."""

    code = "invalid"
    title = "Validation failed"

    def __init__(self, field: str, message: str, **extra: Any) -> None:
        super().__init__(f"{field}: {message}", **extra)
        self.errors = [{"field": field, "message": message}]


class Forbidden(DomainError):
    code = "forbidden"
    title = "Forbidden"


class Unauthorized(DomainError):
    code = "unauthorized"
    title = "Unauthorized"


class Unavailable(DomainError):
    code = "unavailable"
    title = "Service unavailable"
