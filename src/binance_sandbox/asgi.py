"""`binance_sandbox.asgi:app` for ASGI servers started with several processes; the settings
come from `BSX_*` environment variables."""

from binance_sandbox.app import create_app
from binance_sandbox.config import Settings
from binance_sandbox.observability.logging import configure_logging

_settings = Settings()
configure_logging(_settings.log_format)
app = create_app(_settings)
