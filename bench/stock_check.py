"""After the order rows of a whole system: does the stock ledger balance? (TARGETS.md: "zero errors, zero
duplicates, stock ledger balanced".) Read through the gateway, as the demo manager, once the pipeline settled:

- no order is left pending, and each confirmed order holds one `reserved` reservation;
- each stock level's `reserved` is the sum of the quantities its `reserved` reservations hold;
- each stock level's `on_hand` is the sum of its movements in the ledger (`/api/stock-movements`).

Every page is read (100 rows a request): a few hundred requests after a bench run, a second or two.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.common import BenchContext

PAGE = 100


async def _get(ctx: BenchContext, path: str, headers: dict[str, str]) -> dict[str, Any]:
    async with ctx.session.get(ctx.url(path), headers=headers) as answer:
        if answer.status != 200:
            raise RuntimeError(f"GET {path} answered {answer.status}: {(await answer.read())[:200]!r}")
        data: dict[str, Any] = await answer.json()
        return data


async def _all(ctx: BenchContext, path: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    joiner = "&" if "?" in path else "?"
    while True:
        data = await _get(ctx, f"{path}{joiner}limit={PAGE}&page={page}", headers)
        items += data["items"]
        if len(items) >= data["total"] or not data["items"]:
            return items
        page += 1


async def _total(ctx: BenchContext, path: str, headers: dict[str, str]) -> int:
    return int((await _get(ctx, path, headers))["total"])


async def stock_balance(ctx: BenchContext, headers: dict[str, str]) -> tuple[int, str]:
    """The number of mismatches found (0 when the ledger balances) and a note saying what was compared."""
    confirmed = await _total(ctx, "/api/orders?status=confirmed&limit=1", headers)
    pending = await _total(ctx, "/api/orders?status=pending&limit=1", headers)
    held = await _all(ctx, "/api/inventory/reservations?status=reserved", headers)
    levels = await _all(ctx, "/api/inventory", headers)
    moves = await _all(ctx, "/api/stock-movements", headers)
    problems = ledger_problems(confirmed, pending, held, levels, moves)
    compared = (
        f"{confirmed} confirmed orders, {len(held)} reservations held "
        f"({sum(int(x['quantity']) for r in held for x in r['lines'])} units), "
        f"{len(levels)} stock levels, {len(moves)} movements"
    )
    if problems:
        return len(problems), "stock ledger NOT balanced: " + "; ".join(problems) + f" ({compared})"
    return 0, f"stock ledger balanced: {compared}"


def ledger_problems(
    confirmed: int,
    pending: int,
    held: list[dict[str, Any]],
    levels: list[dict[str, Any]],
    moves: list[dict[str, Any]],
) -> list[str]:
    """What does not balance, from the answers of the API (empty when everything does)."""
    reserved: Counter[tuple[str, str]] = Counter()
    for reservation in held:
        for line in reservation["lines"]:
            reserved[(reservation["location_id"], line["product_id"])] += int(line["quantity"])
    moved: Counter[tuple[str, str]] = Counter()
    for move in moves:
        moved[(move["location_id"], move["product_id"])] += int(move["quantity"])
    problems = [f"{pending} orders still pending"] if pending else []
    if confirmed != len(held):
        problems.append(f"{confirmed} orders confirmed but {len(held)} reservations held")
    level_reserved = {(x["location_id"], x["product_id"]): int(x["reserved"]) for x in levels}
    level_on_hand = {(x["location_id"], x["product_id"]): int(x["on_hand"]) for x in levels}
    off_reserved = [k for k in level_reserved.keys() | reserved.keys() if level_reserved.get(k, 0) != reserved[k]]
    off_hand = [k for k in level_on_hand.keys() | moved.keys() if level_on_hand.get(k, 0) != moved[k]]
    if off_reserved:
        problems.append(f"{len(off_reserved)} levels whose reserved is not what their reservations hold")
    if off_hand:
        problems.append(f"{len(off_hand)} levels whose on_hand is not the sum of their movements")
    return problems
