"""`wire.dumps` writes what `json.dumps` writes (compact, key order kept, no ASCII escaping),
with a `Decimal` as a bare, exact number and never a float; `wire.loads` reads what
`json.loads(…, parse_float=Decimal)` reads, and refuses what it refuses."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

import pytest

from binance_sandbox import wire

DECIMALS = {
    Decimal("25.00000000"): "25",
    Decimal("0"): "0",
    Decimal("0E-8"): "0",
    Decimal("-1.5"): "-1.5",
    Decimal("1E+3"): "1000",
    Decimal("1E-8"): "0.00000001",
    Decimal("123456789.123456789012345678"): "123456789.123456789012345678",
}


def _value(rng: random.Random, depth: int) -> Any:
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice(
            ["", "PAID", 'quote "q"', "back\\slash", "é ✓", "line\nbreak", "\x00", "\u2028", "\x7f"]
        )
    if kind == 1:
        return rng.randrange(-(10**20), 10**20)
    if kind == 2:
        return None
    if kind == 3:
        return rng.random() < 0.5
    if kind == 4:
        return rng.choice(list(DECIMALS))
    if kind == 5:
        return rng.choice([0, 1, -1])
    if kind in (6, 7):
        return {f"k{i}": _value(rng, depth + 1) for i in range(rng.randrange(4))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def _expected(value: Any) -> str:
    """`json.dumps`, compact and without ASCII escaping, each Decimal as its exact number."""
    numbers: list[str] = []

    def mark(item: Any) -> Any:
        if isinstance(item, Decimal):
            numbers.append(DECIMALS[item])
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
        assert wire.dumps(value) == _expected(value)
        assert wire.encode(value) == _expected(value).encode()
    assert wire.dumps({}) == "{}"
    assert wire.dumps({1: "a"}) == '{"1":"a"}'
    assert wire.dumps(("a", 1)) == '["a",1]'


@pytest.mark.parametrize(("number", "text"), list(DECIMALS.items()))
def test_dumps_writes_a_decimal_exactly_without_exponent(number: Decimal, text: str) -> None:
    assert wire.dumps({"amount": number}) == f'{{"amount":{text}}}'
    assert wire.loads(wire.dumps(number)) == number


@pytest.mark.parametrize("value", [1.5, {"amount": 0.1}, [1, [2.0]], {"a": {"b": (3.5,)}}])
def test_dumps_refuses_a_float(value: Any) -> None:
    with pytest.raises(TypeError):
        wire.dumps(value)


@pytest.mark.parametrize("number", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_dumps_refuses_a_number_json_has_not(number: Decimal) -> None:
    with pytest.raises(ValueError, match="cannot encode"):
        wire.dumps({"amount": number})


@pytest.mark.parametrize(
    "data",
    [
        b'{"amount": 25.10, "n": 3, "e": 1e2, "s": "\\u00e9"}',
        '{"a": [1, 2.5, null, true]}',
        "[1.0]",
        b"123456789012345678901234567890",
        '{"a": 1}'.encode("utf-16"),
        '{"a": 1}'.encode("utf-32-le"),
        bytearray(b'{"a": 0.1}'),
        b"\xef\xbb\xbf{}",
        b'{"a": 1, "a": 2}',
    ],
)
def test_loads_reads_numbers_as_decimals(data: str | bytes) -> None:
    expected = json.loads(data, parse_float=Decimal)
    assert wire.loads(data) == expected
    assert repr(wire.loads(data)) == repr(expected)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ("\ufeff{}", json.JSONDecodeError),
        (b'{"a": 1', json.JSONDecodeError),
        (b'{"a": 1}x', json.JSONDecodeError),
        (b"", json.JSONDecodeError),
        (b"NaN", json.JSONDecodeError),
        (b'{"a": "\xff"}', UnicodeDecodeError),
        (b"[" * 100_000 + b"]" * 100_000, RecursionError),
    ],
)
def test_loads_refuses_what_is_not_json(data: str | bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        wire.loads(data)


def test_loads_refuses_what_is_not_text() -> None:
    with pytest.raises(TypeError):
        wire.loads(3)  # type: ignore[arg-type]


def test_decimal_str_writes_no_exponent() -> None:
    assert wire.decimal_str(Decimal("1E-8")) == "0.00000001"
    assert wire.decimal_str(Decimal("25.10")) == "25.10"
