"""Search words split on punctuation: a code `SNK-1` is found by `snk-1`, `SNK 1` or `1`.

The generated `search_vec` columns are recomputed with punctuation turned into spaces first (the search text is
split the same way); their GIN indexes are rebuilt.

Revision ID: c4f1e2a7d9b3
Revises: bbd2a9b291b0
Create Date: 2026-11-25 16:55:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4f1e2a7d9b3"
down_revision: str | None = "bbd2a9b291b0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = {
    "products": "to_tsvector('simple', regexp_replace(name || ' ' || code || ' ' || coalesce(barcode, ''), "
    "'[^[:alnum:]]+', ' ', 'g'))",
    "customers": "to_tsvector('simple', regexp_replace(name || ' ' || code || ' ' || coalesce(phone, ''), "
    "'[^[:alnum:]]+', ' ', 'g') || ' ' || regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'))",
}
OLD = {
    "products": "to_tsvector('simple'::regconfig, (((name)::text || ' '::text) || (code)::text) || ' '::text "
    "|| (coalesce(barcode, ''::character varying))::text)",
    "customers": "to_tsvector('simple'::regconfig, (((((name)::text || ' '::text) || (code)::text) || ' '::text) "
    "|| (coalesce(phone, ''::character varying))::text) || ' '::text "
    "|| regexp_replace(coalesce(phone, ''::character varying)::text, '[^0-9]'::text, ''::text, 'g'::text))",
}


def _recreate(expressions: dict[str, str]) -> None:
    for table, expression in expressions.items():
        op.execute(f"ALTER TABLE catalog.{table} DROP COLUMN search_vec")
        op.execute(
            f"ALTER TABLE catalog.{table} ADD COLUMN search_vec tsvector GENERATED ALWAYS AS ({expression}) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search ON catalog.{table} USING gin (search_vec)")


def upgrade() -> None:
    _recreate(NEW)


def downgrade() -> None:
    _recreate(OLD)
