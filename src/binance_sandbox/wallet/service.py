"""The Wallet API family's long-lived parts, built in the app's lifespan: the key directory,
the rate limiter (in-process or Redis), the status switch, and the services by concern —
`capital` (withdraw, deposits, addresses), `subaccounts`, `dust`, `dividends` — plus
`admin`, what the control API does for this family."""

from __future__ import annotations

from dataclasses import dataclass

from binance_sandbox.platform import Platform
from binance_sandbox.wallet.admin import WalletAdmin
from binance_sandbox.wallet.auth import KeyDirectory
from binance_sandbox.wallet.capital import CapitalService
from binance_sandbox.wallet.dividends import DividendService
from binance_sandbox.wallet.dust import DustService
from binance_sandbox.wallet.ratelimit import Limits, RateLimiter, counter_store
from binance_sandbox.wallet.status import StatusService
from binance_sandbox.wallet.subaccounts import SubAccountService


@dataclass
class Wapi:
    keys: KeyDirectory
    limiter: RateLimiter
    status: StatusService
    capital: CapitalService
    subaccounts: SubAccountService
    dust: DustService
    dividends: DividendService
    admin: WalletAdmin

    async def aclose(self) -> None:
        await self.limiter.store.aclose()


def build_wapi(platform: Platform) -> Wapi:
    s = platform.settings
    keys = KeyDirectory(platform.db)
    status = StatusService(platform)
    limiter = RateLimiter(
        counter_store(s.redis_url),
        Limits(
            ip_weight=s.wallet_ip_weight_per_minute,
            key_weight=s.wallet_key_weight_per_minute,
            bans_after=s.wallet_429s_before_ban,
        ),
        s.wallet_rate_limit_prefix,
    )
    return Wapi(
        keys=keys,
        limiter=limiter,
        status=status,
        capital=CapitalService(platform),
        subaccounts=SubAccountService(platform),
        dust=DustService(platform),
        dividends=DividendService(platform),
        admin=WalletAdmin(platform, keys, status),
    )
