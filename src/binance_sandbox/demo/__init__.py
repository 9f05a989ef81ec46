"""`binance-sandbox demo`: every family driven end to end through the SDK, with progress.
`steps` is what the parts are made of; `prime`, `pay` and `wallet` are the parts; `run`
starts the servers and drives the parts in order."""

from binance_sandbox.demo.run import run_demo

__all__ = ["run_demo"]
