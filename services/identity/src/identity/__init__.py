"""SalesSync identity service."""
