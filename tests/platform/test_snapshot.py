"""Values kept from the database for a short time (storage/snapshot.py): requests that find
one stale together wait for one read; a change made here is never undone by an older read."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import event

from binance_sandbox.chain.switches import NetworkSwitches
from binance_sandbox.config import Settings
from binance_sandbox.faults.rules import FaultBook, Identity
from binance_sandbox.platform import open_platform
from binance_sandbox.storage.snapshot import Snapshot


class Source:
    """A stored value whose reads end when the test lets them."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.reads = 0
        self.gates: list[asyncio.Event] = []
        self.fail: Exception | None = None

    async def load(self) -> str:
        self.reads += 1
        seen = self.value
        gate = asyncio.Event()
        self.gates.append(gate)
        await gate.wait()
        if self.fail is not None:
            raise self.fail
        return seen

    def release(self) -> None:
        for gate in self.gates:
            gate.set()


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def read_through(snapshot: Snapshot[str], source: Source) -> str:
    """One `get`, its read (if it makes one) let end."""
    answer = asyncio.ensure_future(snapshot.get())
    await settle()
    source.release()
    return await answer


def test_requests_that_find_it_stale_together_share_one_read() -> None:
    async def main() -> None:
        source = Source("a")
        snapshot = Snapshot(source.load, "", max_age_s=60)
        waiters = [asyncio.ensure_future(snapshot.get()) for _ in range(50)]
        await settle()
        assert source.reads == 1
        source.value = "b"
        source.release()
        assert await asyncio.gather(*waiters) == ["a"] * 50
        # Fresh now: no read at all.
        assert await snapshot.get() == "a"
        assert source.reads == 1

    asyncio.run(main())


def test_it_is_read_again_once_older_than_its_age() -> None:
    async def main() -> None:
        source = Source("a")
        snapshot = Snapshot(source.load, "", max_age_s=0)
        assert await read_through(snapshot, source) == "a"
        source.value = "b"
        assert await read_through(snapshot, source) == "b"
        assert source.reads == 2

    asyncio.run(main())


def test_an_older_read_ending_later_does_not_undo_a_change() -> None:
    async def main() -> None:
        source = Source("old")
        snapshot = Snapshot(source.load, "", max_age_s=60)
        stale = asyncio.ensure_future(snapshot.get())
        await settle()
        # This process changes the value and reads it back while the first read is out.
        source.value = "new"
        after_change = asyncio.ensure_future(snapshot.reload())
        await settle()
        source.gates[1].set()
        assert await after_change == "new"
        source.gates[0].set()
        # The older read ends last: its waiters get the value held, not what it read.
        assert await stale == "new"
        assert snapshot.value == "new"

    asyncio.run(main())


def test_a_value_put_wins_over_a_read_already_out() -> None:
    async def main() -> None:
        source = Source("old")
        kept: list[str] = []
        snapshot = Snapshot(source.load, "", max_age_s=60, kept=kept.append)
        stale = asyncio.ensure_future(snapshot.get())
        await settle()
        snapshot.put("written")
        source.release()
        assert await stale == "written"
        assert kept == ["written"]

    asyncio.run(main())


def test_a_waiter_that_goes_away_does_not_stop_the_read_of_the_others() -> None:
    async def main() -> None:
        source = Source("a")
        snapshot = Snapshot(source.load, "", max_age_s=60)
        leaving = asyncio.ensure_future(snapshot.get())
        staying = asyncio.ensure_future(snapshot.get())
        await settle()
        leaving.cancel()
        await settle()
        source.release()
        assert await staying == "a"
        assert leaving.cancelled()
        assert source.reads == 1

    asyncio.run(main())


def test_a_failed_read_fails_its_waiters_and_the_next_request_reads_again() -> None:
    async def main() -> None:
        source = Source("a")
        snapshot = Snapshot(source.load, "", max_age_s=60)
        source.fail = RuntimeError("database gone")
        waiters = [asyncio.ensure_future(snapshot.get()) for _ in range(3)]
        await settle()
        source.release()
        results = await asyncio.gather(*waiters, return_exceptions=True)
        assert all(isinstance(r, RuntimeError) for r in results)
        source.fail = None
        assert await read_through(snapshot, source) == "a"
        assert source.reads == 2

    asyncio.run(main())


@pytest.mark.parametrize("kind", ["fault rules", "network switches"])
def test_requests_in_flight_make_one_query_between_them(tmp_path: Path, kind: str) -> None:
    """On a real database: 40 requests that find the fault rules or the network switches
    stale (a refresh time of 0) make one SELECT between them."""

    async def main() -> int:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 's.db'}")
        platform = await open_platform(settings)
        book = FaultBook(platform.db, seed=1, refresh_ms=0)
        switches = NetworkSwitches(platform.db, refresh_ms=0)
        selects: list[str] = []

        def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                selects.append(statement)

        event.listen(platform.db.engine.sync_engine, "before_cursor_execute", seen)
        try:
            if kind == "fault rules":
                await asyncio.gather(
                    *(book.take("pay", "/v2/order", Identity()) for _ in range(40))
                )
            else:
                await asyncio.gather(*(switches.fresh() for _ in range(40)))
        finally:
            await platform.aclose()
        return len(selects)

    assert asyncio.run(main()) == 1
