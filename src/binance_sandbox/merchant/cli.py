"""`binance-sandbox merchant serve`: run the merchant kit with uvicorn.

Every option can also come from the environment (`BSX_MERCHANT_*`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

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
    try:
        is_file = len(value) < 4096 and path.is_file()
    except OSError:  # a Base64 key whose "/"-separated parts are too long for a file name
        is_file = False
    return path.read_text() if is_file else value


def _env_option(name: str, help: str | None = None) -> Any:
    """An option that can also come from `BSX_MERCHANT_<name>`."""
    return typer.Option(envvar=f"BSX_MERCHANT_{name}", help=help)


@merchant_cli.command()
def serve(
    host: Annotated[str, _env_option("HOST")] = "127.0.0.1",
    port: Annotated[int, _env_option("PORT")] = 8081,
    database: Annotated[
        str,
        _env_option(
            "DATABASE", "SQLAlchemy URL (sqlite://, postgresql://) or an SQLite file path."
        ),
    ] = DEFAULT_DATABASE_URL,
    api_token: Annotated[
        str | None,
        _env_option("API_TOKEN", "Bearer token the platform must send on callback calls."),
    ] = None,
    webhook_public_key: Annotated[
        str | None,
        _env_option(
            "WEBHOOK_PUBLIC_KEY",
            "The platform's webhook public key (Base64 DER or PEM), or a file holding it.",
        ),
    ] = None,
    client_id: Annotated[str | None, _env_option("CLIENT_ID", "Expected X-BN-Connect-For.")] = None,
    auto_complete: Annotated[
        bool,
        _env_option(
            "AUTO_COMPLETE",
            "Refunds and transfers succeed at once (else PENDING until completed).",
        ),
    ] = True,
    check_pending_polls: Annotated[
        int,
        _env_option("CHECK_PENDING_POLLS", "Answer PENDING this many times before COMPLETED."),
    ] = 0,
    id_seed: Annotated[int | None, _env_option("ID_SEED", "Seed for the kit's references.")] = None,
    log_level: Annotated[str, _env_option("LOG_LEVEL")] = "info",
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
