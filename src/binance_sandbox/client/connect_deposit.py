"""Connect Deposit clients, sync and async, with the same methods (docs/connect-deposit.md).

The same signed round trip, errors and retries as the Connect Prime clients (`_async.base`,
`_calls`); only the paths differ, under `/papi/v1/ramp/connect/`. `initiate_deposit` creates
a session, so a request that may or may not have arrived is not repeated (a repeat would
answer 1230309 DUPLICATE_ORDER_SUBMISSION for its `externalOrderId` anyway); the rest are
reads, and `report` is safe to repeat (the first report wins).

`AuthorizationTimeout` (a `WaitTimeout`) is what `wait_for_authorization` raises when the
session is still INIT at the deadline. `verify_deposit_status_event` reads a
`deposit_status_event` webhook with a `ConnectWebhookVerifier`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pydantic

from binance_sandbox.client._async.connect_deposit import AsyncConnectDepositClient
from binance_sandbox.client._deposit_calls import AuthorizationTimeout
from binance_sandbox.client._sync.connect_deposit import ConnectDepositClient
from binance_sandbox.client.deposit_models import DepositStatusEvent
from binance_sandbox.client.errors import WebhookVerificationError
from binance_sandbox.client.webhooks import ConnectWebhookVerifier

__all__ = [
    "AsyncConnectDepositClient",
    "AuthorizationTimeout",
    "ConnectDepositClient",
    "verify_deposit_status_event",
]


def verify_deposit_status_event(
    verifier: ConnectWebhookVerifier, body: bytes, headers: Mapping[str, str]
) -> DepositStatusEvent:
    """The `deposit_status_event` in `body`, once `verifier` has shown it comes from the
    platform. Duplicates are possible: de-duplicate by `externalOrderId` and `status`."""
    data = verifier.verify_json(body, headers)
    try:
        return DepositStatusEvent.model_validate(data)
    except pydantic.ValidationError as exc:
        raise WebhookVerificationError(f"not a deposit_status_event: {exc}") from exc
