"""binance-sandbox: Binance partner platform sandbox."""

__version__ = "0.1.0"
