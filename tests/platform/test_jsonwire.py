"""`jsonwire.dumps` writes what `json.dumps` writes (compact, key order kept, no ASCII
escaping), with a `Decimal` as a bare, exact number and never a float."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

import pytest

from binance_sandbox import jsonwire


def _value(rng: random.Random, depth: int) -> Any:
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice(["", "PAID", 'quote "q"', "back\\slash", "é ✓", "line\nbreak", "\x00"])
    if kind == 1:
        return rng.randrange(-(10**20), 10**20)
    if kind == 2:
        return None
    if kind == 3:
        return rng.random() < 0.5
    if kind == 4:
        return rng.choice([Decimal("25.00000000"), Decimal("0"), Decimal("-1.5"), Decimal("1E+3")])
    if kind == 5:
        return rng.choice([0, 1, -1])
    if kind in (6, 7):
        return {f"k{i}": _value(rng, depth + 1) for i in range(rng.randrange(4))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def _expected(value: Any) -> str:
    """`json.dumps` with each Decimal written as jsonwire documents it."""
    numbers: list[str] = []

    def mark(item: Any) -> Any:
        if isinstance(item, Decimal):
            numbers.append(jsonwire._number(item))
            return f"@number{len(numbers) - 1}@"
        if isinstance(item, dict):
            return {key: mark(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [mark(inner) for inner in item]
        return item

    text = json.dumps(mark(value), separators=(",", ":"), ensure_ascii=False)
    for i, number in enumerate(numbers):
        text = text.replace(f'"@number{i}@"', number)
    return text


def test_dumps_writes_what_json_dumps_writes() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        value = {f"top{i}": _value(rng, 0) for i in range(rng.randrange(6))}
        assert jsonwire.dumps(value) == _expected(value)
    assert jsonwire.dumps({}) == "{}"
    assert jsonwire.dumps({1: "a"}) == '{"1":"a"}'
    assert jsonwire.dumps({"amount": Decimal("25.00000000")}) == '{"amount":25}'


def test_dumps_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        jsonwire.dumps({"amount": 1.5})


@pytest.mark.parametrize(
    "data",
    [
        b'{"amount": 25.10, "n": 3, "e": 1e2, "s": "\\u00e9"}',
        '{"a": [1, 2.5, null, true]}',
        "[1.0]",
        '{"a": 1}'.encode("utf-16"),
        '{"a": 1}'.encode("utf-32-le"),
        b"\xef\xbb\xbf{}",
        "\ufeff{}",
        b'{"a": 1',
        b"\xff\xfe\x00",
        b"",
        bytearray(b'{"a": 0.1}'),
    ],
)
def test_loads_parses_as_json_loads_with_decimals(data: str | bytes) -> None:
    """The same values, or the same error, as `json.loads(data, parse_float=Decimal)`."""
    try:
        expected: object = json.loads(data, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        with pytest.raises(type(error)):
            jsonwire.loads(data)
        return
    assert jsonwire.loads(data) == expected
    assert repr(jsonwire.loads(data)) == repr(expected)


def test_loads_refuses_what_is_not_text() -> None:
    with pytest.raises(TypeError):
        jsonwire.loads(3)  # type: ignore[arg-type]
