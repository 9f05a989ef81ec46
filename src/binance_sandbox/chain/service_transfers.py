"""Transfers arriving on the simulated chains, on the ledger and the sandbox clock.

A transfer to a sandbox deposit address credits its user after the network's confirmations
(an outbox job due then): a `chain_deposit` entry from the chain (external) to the user's
SPOT wallet, unless it is below the network's `depositDust`. It moves along
`lifecycle.TRANSFER`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from binance_sandbox import clock
from binance_sandbox.chain import errors
from binance_sandbox.chain.lifecycle import (
    LISTED_DEPOSITS,
    TRANSFER,
    TransferStatus,
)
from binance_sandbox.chain.networks import Network, network_for
from binance_sandbox.chain.service_addresses import AddressService
from binance_sandbox.chain.service_shared import (
    chain_account,
    new_tx_hash,
)
from binance_sandbox.delivery.outbox import enqueue
from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    post,
    transfer,
    user_account,
)
from binance_sandbox.platform import Platform
from binance_sandbox.storage import test_clocks
from binance_sandbox.storage.models import ChainTransfer


@functools.cache
def _deposits_statement(
    *, columns: bool, asset: bool, status: bool, start: bool, end: bool
) -> Select[Any]:
    """`deposits`' query with the filters given, the values bound at each call, for objects or
    (`columns`) for rows. Built once per combination: making an ORM statement costs more than
    running it (SQLAlchemy caches the compiled SQL, not the statement), and `depositHistory`
    is polled."""
    stmt = select(ChainTransfer.__table__ if columns else ChainTransfer).where(
        ChainTransfer.user_id == bindparam("user_id"),
        # Two comparisons, not `in_()`: an IN list is expanded at every execution, and its
        # statement's compiled SQL cannot be cached.
        or_(*(ChainTransfer.status == listed.value for listed in LISTED_DEPOSITS.values())),
    )
    if asset:
        stmt = stmt.where(ChainTransfer.asset == bindparam("asset"))
    if status:
        stmt = stmt.where(ChainTransfer.status == bindparam("status"))
    if start:
        stmt = stmt.where(ChainTransfer.created_at >= bindparam("start"))
    if end:
        stmt = stmt.where(ChainTransfer.created_at <= bindparam("end"))
    return stmt.order_by(ChainTransfer.created_at)


def _deposits_query(
    columns: bool,
    user_id: str,
    asset: str | None,
    status: int | None,
    start: int | None,
    end: int | None,
) -> tuple[Select[Any], dict[str, Any]]:
    stmt = _deposits_statement(
        columns=columns,
        asset=bool(asset),
        status=status is not None,
        start=start is not None,
        end=end is not None,
    )
    params = {
        "user_id": user_id,
        "asset": asset,
        # A status no transfer is listed with matches nothing.
        "status": LISTED_DEPOSITS[status].value if status in LISTED_DEPOSITS else "NONE",
        "start": start,
        "end": end,
    }
    return stmt, params


class TransferService:
    def __init__(self, platform: Platform, addresses: AddressService) -> None:
        self.p = platform
        self.addresses = addresses

    async def submit_transfer(
        self,
        session: AsyncSession,
        *,
        network: str,
        address: str,
        tag: str | None,
        asset: str,
        amount: Decimal,
        tx_hash: str | None = None,
        source: str = "control",
    ) -> ChainTransfer:
        net = network_for(asset, network)
        if not re.match(net.address_regex, address):
            raise errors.InvalidAddress(f"{address} is not a valid {net.network} address.")
        if amount <= 0:
            raise errors.AmountTooSmall("amount must be greater than 0.")
        try:
            units = money.to_units(amount)
        except money.AmountError as exc:
            raise errors.AmountTooSmall(f"amount: {exc}") from exc
        owner = await session.run_sync(self.addresses.find_owner, net.network, address, tag)
        if owner is not None and not clock.is_pinned():
            # Value from outside the sandbox arrives on the receiving user's clock; from a
            # sandbox user's withdrawal, on the sender's (pinned already; docs/testing.md).
            await self.p.act_for(await test_clocks.of_user(session, owner))
        return await session.run_sync(
            self.record_transfer,
            net,
            address=address,
            tag=tag,
            units=units,
            owner=owner,
            tx_hash=tx_hash,
            source=source,
        )

    def record_transfer(
        self,
        session: Session,
        net: Network,
        *,
        address: str,
        tag: str | None,
        units: int,
        owner: str | None,
        tx_hash: str | None,
        source: str,
    ) -> ChainTransfer:
        """A transfer seen on `net` now (on the clock the current work runs on), to `address`
        and its sandbox user `owner` (None: nobody's), with its confirmation job, in the
        caller's transaction. `submit_transfer` checks a transfer and pins its receiver's
        clock first; a withdrawal's arrives at its sender's time, which the worker pinned."""
        now = self.p.clock.now_ms()
        transfer_row = ChainTransfer(
            tx_hash=tx_hash or new_tx_hash(self.p.ids, net.network),
            network=net.network,
            address=address,
            tag=tag or "",
            asset=net.coin,
            amount=units,
            user_id=owner,
            status=TransferStatus.PENDING.value,
            confirmations_needed=net.confirmations,
            created_at=now,
            confirm_at=now + net.confirm_ms,
            source=source,
        )
        session.add(transfer_row)
        session.flush()
        enqueue(
            session,
            kind="chain.confirm",
            family="chain",
            payload={"txHash": transfer_row.tx_hash},
            due_at=transfer_row.confirm_at,
            now=now,
            max_attempts=10,
            owner=owner,
            ref=transfer_row.tx_hash,
        )
        return transfer_row

    def confirm(self, session: Session, tx_hash: str, now: int) -> None:
        """The transfer has its confirmations: credit its user, or record why not."""
        row = session.execute(
            select(ChainTransfer).where(ChainTransfer.tx_hash == tx_hash).with_for_update()
        ).scalar_one_or_none()
        if row is None or TRANSFER.is_terminal(row.status):
            return
        net = network_for(row.asset, row.network)
        if row.user_id is None:
            row.status = TRANSFER.move(row.status, TransferStatus.UNCLAIMED).value
        elif row.amount < money.to_units(net.deposit_dust):
            row.status = TRANSFER.move(row.status, TransferStatus.DUST).value
        else:
            post(
                session,
                "chain_deposit",
                transfer(
                    chain_account(row.network, row.asset),
                    user_account(row.user_id, row.asset),
                    row.amount,
                ),
                at=now,
                ref_type="chain_transfer",
                ref_id=row.tx_hash,
            )
            row.status = TRANSFER.move(row.status, TransferStatus.CREDITED).value
            row.credited_at = now

    def transfer_by_hash(self, session: Session, tx_hash: str) -> ChainTransfer | None:
        return session.execute(
            select(ChainTransfer).where(ChainTransfer.tx_hash == tx_hash)
        ).scalar_one_or_none()

    async def deposits(
        self,
        session: AsyncSession,
        user_id: str,
        *,
        asset: str | None = None,
        status: int | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> list[ChainTransfer]:
        """What `depositHistory` lists: transfers to the user, pending (0) or credited (1)."""
        stmt, params = _deposits_query(False, user_id, asset, status, start, end)
        return list((await session.execute(stmt, params)).scalars())

    async def deposit_rows(
        self,
        user_id: str,
        *,
        asset: str | None = None,
        status: int | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> Sequence[Row[Any]]:
        """`deposits` as rows, in a read of its own (`Database.rows`): `depositHistory`."""
        stmt, params = _deposits_query(True, user_id, asset, status, start, end)
        return await self.p.db.rows(stmt, params)
