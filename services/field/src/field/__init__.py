"""SalesSync field service."""
