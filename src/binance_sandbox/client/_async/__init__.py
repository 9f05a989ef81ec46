"""The SDK's clients as written: async. `_sync` is generated from this package by
`scripts/unasync.py`; edit here, then run it."""
