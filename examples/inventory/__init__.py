"""A small inventory service: stock records, CSV import, and a JSON HTTP client."""

from inventory.client import InventoryClient, fetch_stock
from inventory.stock import StockItem, parse_csv, restock

__all__ = ["InventoryClient", "StockItem", "fetch_stock", "parse_csv", "restock"]
