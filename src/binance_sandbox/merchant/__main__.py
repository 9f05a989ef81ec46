"""`python -m binance_sandbox.merchant serve …`"""

from binance_sandbox.merchant.cli import merchant_cli

merchant_cli(prog_name="python -m binance_sandbox.merchant")
