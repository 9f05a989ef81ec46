"""`binance-sandbox merchant serve`: run the merchant kit with uvicorn.

Every option can also come from the environment (`BSX_MERCHANT_*`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError

from binance_sandbox.merchant.app import create_merchant_app
from binance_sandbox.merchant.settings import DEFAULT_DATABASE_URL, MerchantSettings

merchant_cli = typer.Typer(no_args_is_help=True, help=__doc__)


@merchant_cli.callback()
def merchant() -> None:
    """The reference merchant-side service (partner backend) for Connect Prime."""


def _key_text(value: str | None) -> str | None:
    """The key itself (Base64 DER or PEM), or the path of a file holding it."""
    if value is None or value.strip().startswith("-----BEGIN"):
        return value
    path = Path(value)
    if len(value) < 4096 and path.is_file():
        return path.read_text()
    return value


@merchant_cli.command()
def serve(
    host: Annotated[str, typer.Option(envvar="BSX_MERCHANT_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="BSX_MERCHANT_PORT")] = 8081,
    database: Annotated[
        str,
        typer.Option(
            envvar="BSX_MERCHANT_DATABASE",
            help="SQLAlchemy URL (sqlite://, postgresql://) or an SQLite file path.",
        ),
    ] = DEFAULT_DATABASE_URL,
    api_token: Annotated[
        str | None,
        typer.Option(
            envvar="BSX_MERCHANT_API_TOKEN",
            help="Bearer token the platform must send on callback calls.",
        ),
    ] = None,
    webhook_public_key: Annotated[
        str | None,
        typer.Option(
            envvar="BSX_MERCHANT_WEBHOOK_PUBLIC_KEY",
            help="The platform's webhook public key (Base64 DER or PEM), or a file holding it.",
        ),
    ] = None,
    client_id: Annotated[
        str | None,
        typer.Option(envvar="BSX_MERCHANT_CLIENT_ID", help="Expected X-BN-Connect-For."),
    ] = None,
    auto_complete: Annotated[
        bool,
        typer.Option(
            envvar="BSX_MERCHANT_AUTO_COMPLETE",
            help="Refunds and transfers succeed at once (else PENDING until completed).",
        ),
    ] = True,
    check_pending_polls: Annotated[
        int,
        typer.Option(
            envvar="BSX_MERCHANT_CHECK_PENDING_POLLS",
            help="Answer PENDING this many times before COMPLETED.",
        ),
    ] = 0,
    id_seed: Annotated[
        int | None,
        typer.Option(envvar="BSX_MERCHANT_ID_SEED", help="Seed for the kit's references."),
    ] = None,
    log_level: Annotated[str, typer.Option(envvar="BSX_MERCHANT_LOG_LEVEL")] = "info",
) -> None:
    """Serve the merchant kit."""
    try:
        settings = MerchantSettings(
            database_url=database,
            api_token=api_token,
            webhook_public_key=_key_text(webhook_public_key),
            client_id=client_id,
            auto_complete_transfers=auto_complete,
            check_pending_polls=check_pending_polls,
            id_seed=id_seed,
        )
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            typer.echo(f"error: {error['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(2) from None
    if settings.webhook_public_key is None:
        typer.echo("warning: no --webhook-public-key: webhooks are NOT verified", err=True)
    if settings.api_token is None:
        typer.echo("warning: no --api-token: callback calls are NOT authenticated", err=True)
    uvicorn.run(create_merchant_app(settings), host=host, port=port, log_level=log_level)
