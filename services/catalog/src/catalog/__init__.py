"""SalesSync catalog service."""
