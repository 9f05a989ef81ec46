"""Sandbox deposit addresses: one per user and network, made on first ask (a shared XRP
address told apart by its tag), and the user an address belongs to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from binance_sandbox.chain import errors
from binance_sandbox.chain.networks import network_for
from binance_sandbox.chain.service_shared import (
    BASE58,
    BECH32,
    XRP_ADDRESS,
    DepositAddressOut,
)
from binance_sandbox.chain.switches import NetworkSwitches
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import DepositAddress


class AddressService:
    def __init__(self, platform: Platform, networks: NetworkSwitches) -> None:
        self.p = platform
        # The networks' run-time switches, set through the control API (chain/switches.py).
        self.networks = networks

    def _new_address(self, network: str) -> tuple[str, str]:
        ids = self.p.ids
        if network in ("ETH", "BSC"):
            return "0x" + ids.hex(40), ""
        if network == "BTC":
            return "bc1q" + "".join(BECH32[int(c, 16) * 2 % 32] for c in ids.hex(38)), ""
        if network == "TRX":
            return "T" + "".join(BASE58[ord(c) % 58] for c in ids.alnum(33)), ""
        if network == "SOL":
            return "".join(BASE58[ord(c) % 58] for c in ids.alnum(44)), ""
        if network == "XRP":
            # One exchange address; the user is told apart by the tag (memo).
            return XRP_ADDRESS, ids.digits(9)
        raise errors.UnknownNetwork(f"No addresses on network {network}.")

    async def deposit_address(
        self, session: AsyncSession, user_id: str, coin: str, network: str | None
    ) -> DepositAddressOut:
        net = (await self.networks.fresh()).apply(network_for(coin, network))
        if not net.deposit_enable:
            raise errors.DepositDisabled(f"Deposits of {coin} on {net.network} are suspended.")
        stmt = select(DepositAddress).where(
            DepositAddress.user_id == user_id, DepositAddress.network == net.network
        )
        row = (await session.execute(stmt)).scalar_one_or_none()
        if row is None:
            address, tag = self._new_address(net.network)
            try:
                async with session.begin_nested():
                    session.add(
                        DepositAddress(
                            user_id=user_id,
                            network=net.network,
                            address=address,
                            tag=tag,
                            created_at=self.p.clock.now_ms(),
                        )
                    )
            except IntegrityError:
                pass
            row = (await session.execute(stmt)).scalar_one()
        return DepositAddressOut(coin, net.network, row.address, row.tag or None)

    def find_owner(
        self, session: Session, network: str, address: str, tag: str | None
    ) -> str | None:
        stmt = select(DepositAddress.user_id).where(
            DepositAddress.network == network,
            DepositAddress.address == address,
            DepositAddress.tag == (tag or ""),
        )
        owner = session.execute(stmt).scalar_one_or_none()
        return str(owner) if owner is not None else None
