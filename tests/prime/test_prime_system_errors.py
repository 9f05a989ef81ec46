"""1230101, 1230102 and 1230308 where their situations really arise: a corrupt stored key, and
a database whose locks are held by someone else."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
import pytest
from prime_support import Signed, envelope

QUOTE = {
    "fiatCurrency": "EUR",
    "cryptoCurrency": "BTC",
    "direction": "BUY",
    "amount": 100,
    "amountType": 1,
}


@pytest.fixture(scope="module")
def box(make_sandbox: Any) -> Any:
    return make_sandbox("locks", db_lock_timeout_ms=300)


def sqlite_path(url: str) -> str:
    return url.split("sqlite:///", 1)[1]


def execute_sql(url: str, sql: str, *params: Any) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(sqlite_path(url)) as conn:
            conn.execute(sql.replace("%s", "?"), params)
    else:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql, params)


@contextmanager
def held_lock(url: str, table: str) -> Iterator[None]:
    """Another client holding a write lock (SQLite: the database's; PostgreSQL: the table's)."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
    else:
        with psycopg.connect(url) as conn:
            conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            try:
                yield
            finally:
                conn.rollback()


def test_a_corrupt_stored_key_is_sys_error_not_a_500(box: Any) -> None:
    partner = box.create_partner()
    user = box.create_user(partner)
    execute_sql(
        box.database_url,
        "UPDATE partners SET rsa_public_key = %s WHERE client_id = %s",
        "garbage",
        partner.client_id,
    )
    with httpx.Client(base_url=box.url) as http:
        r = Signed(http, partner).post("/buy/fiat-list", {"userId": user})
    body = envelope(r)
    assert (r.status_code, body["success"], body["code"], body["message"]) == (
        200,
        False,
        "1230101",
        "System error.",
    )


def test_quote_that_cannot_be_stored_is_quote_cache_failed(box: Any) -> None:
    partner = box.create_partner()
    user = box.create_user(partner)
    with httpx.Client(base_url=box.url) as http:
        signed = Signed(http, partner)
        assert envelope(signed.post("/buy/fiat-list", {"userId": user}))["success"]
        with held_lock(box.database_url, "prime_quotes"):
            body = envelope(signed.post("/quote", {"userId": user, **QUOTE}))
        assert (body["code"], body["message"]) == (
            "1230308",
            "The quote could not be stored; retry.",
        )
        # Once the lock is gone the same request succeeds.
        assert envelope(signed.post("/quote", {"userId": user, **QUOTE}))["success"]


def test_a_locked_database_is_sys_busy(box: Any) -> None:
    partner = box.create_partner()
    user = box.create_user(partner)
    with httpx.Client(base_url=box.url) as http:
        signed = Signed(http, partner)
        quote = envelope(signed.post("/quote", {"userId": user, **QUOTE}))["data"]
        execute = {"quoteId": quote["quoteId"], "clientOrderId": "busy-1"}
        with held_lock(box.database_url, "prime_orders"):
            body = envelope(signed.post("/quote/execute", execute))
        assert (body["code"], body["message"]) == (
            "1230102",
            "System busy, please retry in 1-2 seconds.",
        )
        # Nothing was written: the retry the guide advises creates the order.
        assert envelope(signed.post("/quote/execute", execute))["data"]["status"] == "PROCESSING"
    box.audit()


def test_connections_the_database_dropped_are_sys_busy_then_replaced(box: Any) -> None:
    """A PostgreSQL restart drops every connection the pool holds. No ping guards a checkout
    (storage/db.py): a request that meets a dropped connection is the retryable 1230102, the
    pool replaces its connections, and the retry is served."""
    if box.database_url.startswith("sqlite"):
        pytest.skip("a SQLite file has no server to drop connections")
    partner = box.create_partner()
    user = box.create_user(partner)
    with httpx.Client(base_url=box.url) as http:
        signed = Signed(http, partner)
        for _ in range(4):  # connections in the pool
            assert envelope(signed.post("/quote", {"userId": user, **QUOTE}))["success"]
        with psycopg.connect(box.database_url, autocommit=True) as conn:
            dropped = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        assert dropped is not None and dropped[0] > 0
        answers = []
        for _ in range(3):
            r = signed.post("/quote", {"userId": user, **QUOTE})
            body = envelope(r)
            answers.append((r.status_code, body["success"], body.get("code")))
    assert all(status == 200 for status, _ok, _code in answers)
    assert all(ok or code == "1230102" for _status, ok, code in answers), answers
    assert answers[-1][1], answers
