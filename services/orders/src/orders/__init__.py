"""SalesSync orders service."""
