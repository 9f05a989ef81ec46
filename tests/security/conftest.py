"""The security suite uses the families' own test helpers; pytest puts only this folder on
the path."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
for folder in ("prime", "deposit", "pay", "wallet"):
    if str(TESTS / folder) not in sys.path:
        sys.path.append(str(TESTS / folder))
