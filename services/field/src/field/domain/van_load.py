"""The van load aggregate: a day's stock and cash on one van, from plan to reconciliation.

`planned → loaded → in_field → returned → reconciled`, and `planned → cancelled`. Transitions live in one
table; `reconcile()` is pure: per product `loaded − sold − returned − damaged` and the cash count against
`cash_float + cash sales`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from field.domain.errors import IllegalTransition
from salessync.errors import InvalidInput
from salessync.types import to_cents

TRANSITIONS: dict[str, tuple[str, str]] = {
    "load": ("planned", "loaded"),
    "depart": ("loaded", "in_field"),
    "return": ("in_field", "returned"),
    "reconcile": ("returned", "reconciled"),
    "cancel": ("planned", "cancelled"),
}
OPEN = ("planned", "loaded", "in_field", "returned")


class VanLoadNotReturned(IllegalTransition):
    code = "van_load_not_returned"


@dataclass(slots=True)
class VanLoadLine:
    product_id: uuid.UUID
    planned: int = 0
    loaded: int = 0
    sold: int = 0
    returned: int = 0
    damaged: int = 0

    @property
    def variance(self) -> int:
        return self.loaded - self.sold - self.returned - self.damaged


@dataclass(frozen=True, slots=True)
class Reconciliation:
    lines: list[VanLoadLine]
    expected_cash: Decimal
    counted_cash: Decimal
    cash_variance: Decimal
    status: str  # balanced | discrepancy


@dataclass(slots=True)
class VanLoad:
    id: uuid.UUID
    van_id: uuid.UUID
    salesman_id: uuid.UUID
    warehouse_id: uuid.UUID
    status: str
    cash_float: Decimal
    cash_sales: Decimal = Decimal("0")
    counted_cash: Decimal | None = None
    result: str | None = None
    approved: bool = False
    lines: dict[uuid.UUID, VanLoadLine] = field(default_factory=dict)

    def apply(self, action: str) -> str:
        """Move along the transition table; anything else is 409 and changes nothing."""
        source, target = TRANSITIONS[action]
        if self.status != source:
            raise IllegalTransition(
                f"cannot {action} a van load that is {self.status}", current_status=self.status, action=action
            )
        self.status = target
        return target

    def mark_loaded(self) -> None:
        self.apply("load")
        for line in self.lines.values():
            line.loaded = line.planned

    def record_return(self, counts: list[tuple[uuid.UUID, int, int]], counted_cash: Decimal) -> None:
        """Counted returns and damages per product (products not named count as none) and the counted cash."""
        for i, (product_id, returned, damaged) in enumerate(counts):
            line = self.lines.get(product_id)
            if line is None or (line.loaded == 0 and line.sold == 0):
                raise InvalidInput(f"lines[{i}].product_id", "this product was not on the van load")
            if returned + damaged > line.loaded - line.sold:
                raise InvalidInput(
                    f"lines[{i}]", f"returned + damaged exceeds what is left on the van ({line.loaded - line.sold})"
                )
        self.apply("return")
        for product_id, returned, damaged in counts:
            self.lines[product_id].returned = returned
            self.lines[product_id].damaged = damaged
        self.counted_cash = to_cents(counted_cash)

    def reconcile(self) -> Reconciliation:
        """The variances of a returned load (pure: nothing changes)."""
        if self.status not in ("returned", "reconciled") or self.counted_cash is None:
            raise VanLoadNotReturned(
                f"a van load that is {self.status} cannot be reconciled", current_status=self.status
            )
        expected = to_cents(self.cash_float + self.cash_sales)
        variance = to_cents(self.counted_cash - expected)
        lines = sorted(self.lines.values(), key=lambda line: str(line.product_id))
        balanced = variance == 0 and all(line.variance == 0 for line in lines)
        return Reconciliation(lines, expected, self.counted_cash, variance, "balanced" if balanced else "discrepancy")

    def close(self) -> Reconciliation:
        reconciliation = self.reconcile()
        self.apply("reconcile")
        self.result = reconciliation.status
        return reconciliation

    def approve(self) -> None:
        if self.status != "reconciled" or self.result != "discrepancy" or self.approved:
            raise IllegalTransition(
                "only a reconciled van load with a discrepancy that is not yet approved can be approved",
                current_status=self.status,
            )
        self.approved = True
