"""SalesSync notifier service."""
