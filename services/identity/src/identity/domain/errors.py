"""Identity's domain errors; the shared web layer maps each family to its status once."""

from salessync.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unauthorized


class InvalidCredentials(Unauthorized):
    """The one answer for an unknown tenant, an unknown email, a wrong password or a disabled account."""

    code = "invalid_credentials"
    title = "Unauthorized"

    def __init__(self) -> None:
        super().__init__("invalid tenant, email or password")


class InvalidRefreshToken(Unauthorized):
    code = "invalid_refresh_token"

    def __init__(self) -> None:
        super().__init__("the refresh token is invalid, expired or revoked")


class LoginThrottled(DomainError):
    """Too many attempts for this account or address; answered 429 with Retry-After."""

    code = "too_many_attempts"
    title = "Too many login attempts"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("too many login attempts; try again later", retry_after=retry_after_s)
        self.retry_after_s = retry_after_s


class UserNotFound(NotFound):
    code = "user_not_found"

    def __init__(self) -> None:
        super().__init__("user not found")


class EmailTaken(Conflict):
    code = "email_taken"

    def __init__(self, email: str) -> None:
        super().__init__(f"a user with email '{email}' already exists in this tenant", field="email")


class TenantCodeTaken(Conflict):
    code = "tenant_code_taken"

    def __init__(self, code: str) -> None:
        super().__init__(f"a tenant with code '{code}' already exists", field="code")


class TenantNotFound(NotFound):
    code = "tenant_not_found"

    def __init__(self, code: str) -> None:
        super().__init__(f"no tenant with code '{code}'", field="code")


class StaleVersion(Conflict):
    code = "stale_version"

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(
            f"the user was changed since version {expected} (now {current})", expected=expected, current=current
        )


class SelfLockout(Conflict):
    """An admin may not delete, deactivate or demote himself (the tenant could lose its last admin)."""

    code = "self_lockout"

    def __init__(self, rule: str) -> None:
        super().__init__(rule, rule=rule)


class IllegalStatusChange(Conflict):
    code = "illegal_status_change"


class NotAllowed(Forbidden):
    code = "forbidden"


__all__ = [
    "EmailTaken",
    "IllegalStatusChange",
    "InvalidCredentials",
    "InvalidInput",
    "InvalidRefreshToken",
    "LoginThrottled",
    "NotAllowed",
    "SelfLockout",
    "StaleVersion",
    "TenantCodeTaken",
    "UserNotFound",
]
