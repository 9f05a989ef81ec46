"""`binance-sandbox`: serve the platform, run a delivery worker, make keys, run the demo."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from binance_sandbox.config import ConfigFileMissing, Settings, load_settings
from binance_sandbox.merchant.cli import merchant_cli
from binance_sandbox.observability.logging import configure_logging

app = typer.Typer(help="A stateful sandbox of Binance's partner platform.", no_args_is_help=True)
keys_app = typer.Typer(help="Key generation.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(merchant_cli, name="merchant", help="The reference merchant-side service.")
console = Console()


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="A file of BSX_*=value lines (like .env); environment variables and options win.",
    ),
]


def _settings(config: Path | None = None, **overrides: Any) -> Settings:
    try:
        return load_settings(config, **overrides)
    except ConfigFileMissing as exc:
        raise typer.BadParameter(str(exc), param_hint="--config") from exc


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    database: Annotated[
        str | None, typer.Option("--database", help="sqlite:///file.db (default) or postgresql://…")
    ] = None,
    admin_token: Annotated[
        str | None, typer.Option(help="Admin token (default: generated).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for ids and the simulated market.")] = None,
    worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Run the delivery worker in this process.")
    ] = True,
    workers: Annotated[int, typer.Option(help="Number of API processes (uvicorn workers).")] = 1,
    log_format: Annotated[
        str | None,
        typer.Option(help="Log output: text, or json (one object per line on stderr)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Serve the platform: every API family, the control API and (by default) the worker."""
    import uvicorn

    settings = _settings(
        config,
        database_url=database,
        admin_token=admin_token,
        seed=seed,
        embedded_worker=worker,
        log_format=log_format,
    )
    console.print(
        f"[bold]binance-sandbox[/] on http://{host}:{port}  database {settings.database_url}"
    )
    console.print(f"admin token: [bold]{settings.admin_token}[/]  (Authorization: Bearer …)")
    console.print(f"API docs: http://{host}:{port}/docs")
    configure_logging(settings.log_format)
    # With JSON logs uvicorn's own loggers propagate to the root logger's JSON handler.
    log_config = None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG
    if workers > 1:
        import os

        # Each uvicorn worker builds its own app from the environment.
        os.environ.update(
            {
                "BSX_DATABASE_URL": settings.database_url,
                "BSX_ADMIN_TOKEN": settings.admin_token,
                "BSX_SEED": str(settings.seed),
                "BSX_EMBEDDED_WORKER": "true" if worker else "false",
                "BSX_LOG_FORMAT": settings.log_format,
            }
        )
        if config is not None:
            os.environ["BSX_CONFIG"] = str(config)
        uvicorn.run(
            "binance_sandbox.asgi:app", host=host, port=port, workers=workers, log_level="warning"
        )
        return
    from binance_sandbox.app import create_app

    uvicorn.run(
        create_app(settings), host=host, port=port, log_level="warning", log_config=log_config
    )


@app.command("worker")
def run_worker(
    database: Annotated[
        str | None, typer.Option("--database", help="The platform's database URL.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Run a delivery worker on its own (scaled-out deployments)."""
    from binance_sandbox.runner import run_worker_forever

    settings = _settings(config, database_url=database, embedded_worker=False)
    configure_logging(settings.log_format)
    console.print(f"[bold]binance-sandbox worker[/] database {settings.database_url}")
    asyncio.run(run_worker_forever(settings))


@keys_app.command("generate")
def generate_keys(
    bits: Annotated[int, typer.Option(help="RSA key size (the Connect guide uses 1024).")] = 2048,
    out: Annotated[Path | None, typer.Option(help="Write private.pem / public.b64 here.")] = None,
) -> None:
    """An RSA key pair for Connect request signing: the public key as Base64 X.509 DER (what
    Binance's onboarding asks for), the private key as PEM PKCS#8."""
    from binance_sandbox.signing import (
        generate_private_key,
        private_key_to_pem,
        public_key_to_der_b64,
    )

    key = generate_private_key(bits)
    private_pem = private_key_to_pem(key)
    public_b64 = public_key_to_der_b64(key.public_key())
    if out is None:
        typer.echo(private_pem)
        typer.echo(public_b64)
        return
    out.mkdir(parents=True, exist_ok=True)
    (out / "private.pem").write_text(private_pem)
    (out / "public.b64").write_text(public_b64 + "\n")
    console.print(f"wrote {out / 'private.pem'} and {out / 'public.b64'}")


@app.command()
def demo() -> None:
    """Start the sandbox and the merchant kit on SQLite and run a buy and a sell end to end."""
    from binance_sandbox.demo import run_demo

    run_demo(console)


@app.command()
def scenarios() -> None:
    """List the named scenarios (run one with POST /sandbox/v1/scenarios/{name})."""
    from binance_sandbox.faults.scenarios import catalogue

    for scenario in catalogue():
        console.print(f"[bold]{scenario['name']}[/]  {scenario['description']}")


def main() -> None:
    app()
