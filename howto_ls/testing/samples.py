"""A small project on disk and a guide request for it, with a guide a model could have written."""

from __future__ import annotations

import ast
from pathlib import Path

from howto_ls import astutil
from howto_ls.model import ContextItem, GuideRequest, Position, Span, Symbol, SymbolKind

CART_SOURCE = '''\
"""Shopping cart arithmetic."""

from shop.rates import tax_rate


def total(prices: list[float], region: str = "EU") -> float:
    """Sum the prices and add the region's tax."""
    subtotal = sum(prices)
    return round(subtotal * (1 + tax_rate(region)), 2)
'''

RATES_SOURCE = '''\
def tax_rate(region: str) -> float:
    """The sales tax rate of a region."""
    return {"EU": 0.2, "US": 0.07}.get(region, 0.0)
'''

GOOD_GUIDE = """\
How to Use This Code Block
=========================================================================================

Description
-------------------------
The `total` function sums `prices` with `sum`, applies the rate that `tax_rate` returns for \
`region`, and returns the amount rounded with `round` to 2 decimals.

Execution Steps
-------------------------
1. It adds up `prices` into `subtotal`.
2. It looks up the rate for `region` by calling `tax_rate`.
3. It multiplies `subtotal` by one plus the rate and rounds the result to 2 decimals.

Usage Example
-------------------------

```python
from shop import total

print(total([9.99, 5.01], region="US"))
```
"""

INVENTED_GUIDE = GOOD_GUIDE.replace("calling `tax_rate`", "calling `fetch_tax_table`")

QUOTES_GUIDE = GOOD_GUIDE.replace(
    'print(total([9.99, 5.01], region="US"))',
    'note = """C:\\\\shop\\\\prices.txt"""\nprint(total([9.99, 5.01], region="US"), note)',
)


def write_project(root: Path) -> Path:
    """Write the ``shop`` package under ``root``; the path of ``shop/cart.py``."""
    package = root / "shop"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("from shop.cart import total\n", encoding="utf-8")
    (package / "rates.py").write_text(RATES_SOURCE, encoding="utf-8")
    cart = package / "cart.py"
    cart.write_text(CART_SOURCE, encoding="utf-8")
    return cart


def total_request(root: Path, language: str = "English") -> GuideRequest:
    """A guide request for ``shop.cart.total`` in the project written under ``root``."""
    path = write_project(root)
    source = path.read_text(encoding="utf-8")
    node = next(n for n in astutil.parse(source).body if isinstance(n, ast.FunctionDef))
    lines = source.splitlines()
    code = "\n".join(lines[node.lineno - 1 : node.end_lineno]) + "\n"
    end = node.end_lineno or node.lineno
    symbol = Symbol(
        name="total",
        qualname="total",
        kind=SymbolKind.FUNCTION,
        path=path,
        module="shop.cart",
        import_path="shop",
        signature='def total(prices: list[float], region: str = "EU") -> float',
        source=code,
        full_range=Span(Position(node.lineno - 1, 0), Position(end - 1, len(lines[end - 1]))),
        body_range=Span(Position(node.lineno, 0), Position(end - 1, len(lines[end - 1]))),
        returns="float",
        docstring="Sum the prices and add the region's tax.",
    )
    context = (
        ContextItem(
            qualname="shop.rates.tax_rate",
            signature="def tax_rate(region: str) -> float",
            summary="The sales tax rate of a region.",
        ),
    )
    return GuideRequest(
        symbol=symbol,
        module_source=source,
        context=context,
        language=language,
        extra={"relpath": "shop/cart.py"},
    )
