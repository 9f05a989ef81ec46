"""The sandbox's own surface (not Binance's): `/sandbox/v1/…`, behind the admin token."""
