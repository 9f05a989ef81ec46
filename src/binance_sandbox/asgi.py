"""`binance_sandbox.asgi:app` for ASGI servers started with several processes; the settings
come from `BSX_*` environment variables and the file named by `BSX_CONFIG`."""

from binance_sandbox.app import create_app
from binance_sandbox.config import load_settings
from binance_sandbox.observability.logging import configure_logging

_settings = load_settings()
configure_logging(_settings.log_format)
app = create_app(_settings)
