"""SalesSync gateway service."""
