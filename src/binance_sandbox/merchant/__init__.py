"""The merchant kit: a reference merchant-side (partner backend) service for Connect Prime.

It keeps the partner's own fiat ledger, answers the callback APIs the platform calls (Check
Transaction, Refund, Transfer and their status queries; guide §9) and receives signed webhooks
(guide §8). It depends on nothing of the server: only `binance_sandbox.signing` and
`binance_sandbox.wire`. See docs/merchant-kit.md.
"""

from binance_sandbox.merchant.app import create_merchant_app
from binance_sandbox.merchant.settings import MerchantSettings

__all__ = ["MerchantSettings", "create_merchant_app"]
