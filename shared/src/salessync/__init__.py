"""SalesSync shared library."""
