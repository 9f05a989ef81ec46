"""Request parameters as the spec's "General endpoints information" gives them: in the query
string, or (POST) in an `application/x-www-form-urlencoded` body, or both, the query string
winning for a parameter sent in both. Typed reads answer Binance's filter errors:
-1102 for a mandatory parameter that is missing or empty, -1100 for one that does not match
its type's legal range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qsl

from binance_sandbox.wallet import errors

LONG_RANGE = "^[0-9]{1,20}$"
DECIMAL_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
BOOLEAN_RANGE = "^(true|false)$"
ASSET_RANGE = "^[A-Za-z0-9]{1,20}$"
_ASSET = re.compile(ASSET_RANGE)
_LONG = re.compile(LONG_RANGE)
_DECIMAL = re.compile(DECIMAL_RANGE)
INT64_MAX = 2**63 - 1


def _pairs(raw: bytes) -> list[tuple[str, str]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise errors.IllegalChars() from exc
    return parse_qsl(text, keep_blank_values=True)


def missing(name: str) -> errors.MandatoryParam:
    return errors.MandatoryParam(
        f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


def illegal(name: str, legal: str) -> errors.IllegalChars:
    return errors.IllegalChars(
        f"Illegal characters found in parameter '{name}'; legal range is '{legal}'."
    )


def invalid(name: str) -> errors.InvalidParameter:
    return errors.InvalidParameter(f"Data sent for parameter '{name}' is not valid.")


@dataclass(frozen=True)
class Params:
    query: list[tuple[str, str]]
    body: list[tuple[str, str]]

    @classmethod
    def parse(cls, raw_query: bytes, raw_body: bytes) -> Params:
        return cls(_pairs(raw_query), _pairs(raw_body) if raw_body.strip() else [])

    def values(self, name: str) -> list[str]:
        """Every value sent for `name`: those of the query string if it has any, else the
        body's (a repeated key, as `/sapi/v1/asset/dust` takes `asset=BTC&asset=USDT`)."""
        found = [v for k, v in self.query if k == name]
        return found or [v for k, v in self.body if k == name]

    def text(self, name: str, *, required: bool = False) -> str | None:
        found = self.values(name)
        value = found[0].strip() if found else ""
        if not value:
            if required:
                raise missing(name)
            return None
        return value

    def required_text(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def email(self, name: str, *, required: bool = False) -> str | None:
        """An email as a client that does not URL-encode sends it: `a+b@x.com` arrives raw,
        and form decoding would turn its `+` into a space, which no email contains."""
        value = self.text(name, required=required)
        return value.replace(" ", "+").lower() if value is not None else None

    def long(self, name: str, *, required: bool = False) -> int | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        if not _LONG.match(value) or int(value) > INT64_MAX:
            raise illegal(name, LONG_RANGE)
        return int(value)

    def decimal(self, name: str, *, required: bool = False) -> Decimal | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        if not _DECIMAL.match(value):
            raise illegal(name, DECIMAL_RANGE)
        return Decimal(value)

    def boolean(self, name: str) -> bool | None:
        value = self.text(name)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            raise illegal(name, BOOLEAN_RANGE)
        return value.lower() == "true"

    def required_email(self, name: str) -> str:
        value = self.email(name, required=True)
        assert value is not None
        return value

    def asset(self, name: str = "asset", *, required: bool = False) -> str | None:
        """An asset name, in any case (answered upper case)."""
        value = self.text(name, required=required)
        if value is None:
            return None
        if not _ASSET.match(value):
            raise illegal(name, ASSET_RANGE)
        return value.upper()

    def required_asset(self, name: str = "asset") -> str:
        value = self.asset(name, required=True)
        assert value is not None
        return value

    def assets(self, name: str = "asset") -> list[str]:
        """An ARRAY parameter sent as repeated keys, each once, in the order sent."""
        values = [v.strip() for v in self.values(name) if v.strip()]
        if not values:
            raise missing(name)
        for value in values:
            if not _ASSET.match(value):
                raise illegal(name, ASSET_RANGE)
        return list(dict.fromkeys(v.upper() for v in values))

    def required_decimal(self, name: str) -> Decimal:
        value = self.decimal(name, required=True)
        assert value is not None
        return value

    def choice(self, name: str, allowed: tuple[int, ...]) -> int | None:
        """An INT that must be one of `allowed` (-1130 otherwise)."""
        value = self.long(name)
        if value is not None and value not in allowed:
            raise invalid(name)
        return value

    def page(self, default_limit: int = 500, max_limit: int = 500) -> tuple[int, int]:
        """`page` (from 1) and `limit` (1..max_limit), as (offset, limit)."""
        page = self.long("page")
        limit = self.long("limit")
        if page is not None and page < 1:
            raise invalid("page")
        if limit is not None and not 1 <= limit <= max_limit:
            raise invalid("limit")
        size = limit or default_limit
        return ((page or 1) - 1) * size, size
