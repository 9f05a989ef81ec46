"""Facts kept in `sandbox_meta`: the clock's state and the boot counter."""

from __future__ import annotations

import json

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.clock import ClockState
from binance_sandbox.storage.models import Meta


async def get(session: AsyncSession, key: str) -> str | None:
    return (await session.execute(select(Meta.value).where(Meta.key == key))).scalar_one_or_none()


async def put(session: AsyncSession, key: str, value: str) -> None:
    result = await session.execute(update(Meta).where(Meta.key == key).values(value=value))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(Meta(key=key, value=value))
        await session.flush()


async def insert_once(session: AsyncSession, key: str, value: str) -> bool:
    """Insert `key` unless it exists; True when this call inserted it."""
    try:
        async with session.begin_nested():
            session.add(Meta(key=key, value=value))
    except IntegrityError:
        return False
    return True


# The stored clock as one statement, for `Database.rows`: the delivery worker reads it before
# every claim, and a session's transaction around it would cost more than the read.
STORED_CLOCK = select(Meta.value).where(Meta.key == "clock")


async def load_clock(session: AsyncSession) -> ClockState | None:
    raw = await get(session, "clock")
    return None if raw is None else clock_state(raw)


def clock_state(raw: str) -> ClockState:
    data = json.loads(raw)
    return ClockState(data["offset_ms"], data["frozen_at_ms"], data["version"])


async def save_clock(session: AsyncSession, state: ClockState) -> None:
    await put(
        session,
        "clock",
        json.dumps(
            {
                "offset_ms": state.offset_ms,
                "frozen_at_ms": state.frozen_at_ms,
                "version": state.version,
            }
        ),
    )


async def next_boot(session: AsyncSession) -> int:
    """A number that differs for every process start against this database.

    Processes may start together (a scaled-out deployment, a supervisor restarting all): the
    row is created once, then read under a row lock, so that on PostgreSQL two starts never
    read the same number (each process seeds its ids with it) and the second waits for the
    first's transaction, which also creates the clock row on a new database.
    """
    await insert_once(session, "boot", "0")
    raw = (
        await session.execute(select(Meta.value).where(Meta.key == "boot").with_for_update())
    ).scalar_one()
    boot = int(raw) + 1
    await put(session, "boot", str(boot))
    return boot
