"""Stock records and the rules for reordering them."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REORDER_THRESHOLD = 5


@dataclass
class StockItem:
    """One product line in the warehouse."""

    sku: str
    name: str
    quantity: int
    unit_price: float

    @property
    def value(self) -> float:
        """Total value of the units on hand."""
        return self.quantity * self.unit_price

    def needs_reorder(self, threshold: int = REORDER_THRESHOLD) -> bool:
        return self.quantity < threshold


def parse_csv(path: Path) -> Iterator[StockItem]:
    """Read stock items from a CSV file with columns sku,name,quantity,unit_price."""
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row.get("sku"):
                continue
            quantity = int(row["quantity"])
            if quantity < 0:
                raise ValueError(f"negative quantity for {row['sku']}")
            yield StockItem(row["sku"], row["name"], quantity, float(row["unit_price"]))


def restock(items: Iterable[StockItem], batch_size: int = 20) -> dict[str, int]:
    orders: dict[str, int] = {}
    for item in items:
        if item.needs_reorder():
            orders[item.sku] = batch_size - item.quantity
    return orders
