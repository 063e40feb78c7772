"""A tiny JSON client for the inventory HTTP API."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from typing import Any

from inventory.stock import StockItem

DEFAULT_BASE_URL = "https://inventory.example.com"


class InventoryClient:
    """Talks to the inventory API over HTTP."""

    def __init__(
        self, base_url: str = DEFAULT_BASE_URL, token: str | None = None, timeout: float = 10.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            if response.status >= 400:
                raise RuntimeError(f"inventory API answered {response.status}")
            return json.loads(response.read())

    def get_item(self, sku: str) -> StockItem:
        payload = self._request("GET", f"/api/items/{sku}")
        return StockItem(
            payload["sku"], payload["name"], payload["quantity"], payload["unit_price"]
        )

    def update_quantity(self, sku: str, quantity: int) -> None:
        if quantity < 0:
            raise ValueError("quantity must not be negative")
        self._request("PATCH", f"/api/items/{sku}", {"quantity": quantity})


async def fetch_stock(client: InventoryClient, skus: list[str]) -> list[StockItem]:
    """Fetch several items concurrently in worker threads."""
    tasks = [asyncio.to_thread(client.get_item, sku) for sku in skus]
    return list(await asyncio.gather(*tasks))
