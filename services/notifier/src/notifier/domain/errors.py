"""Notifier's domain errors."""

from salessync.errors import InvalidInput, NotFound


class NotificationNotFound(NotFound):
    code = "notification_not_found"


class BadCursor(InvalidInput):
    code = "bad_cursor"

    def __init__(self) -> None:
        super().__init__("before", "not a cursor returned by this endpoint")


class UnknownRecipient(InvalidInput):
    code = "unknown_recipient"

    def __init__(self) -> None:
        super().__init__("recipient_id", "no such user in this tenant")
