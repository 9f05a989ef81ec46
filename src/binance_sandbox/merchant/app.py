"""The merchant kit's app factory: settings in, app out; resources live in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from binance_sandbox.merchant import envelope, routes_callbacks, routes_merchant, routes_webhooks
from binance_sandbox.merchant.context import IdSource, MerchantContext
from binance_sandbox.merchant.errors import MerchantError
from binance_sandbox.merchant.models import Base
from binance_sandbox.merchant.settings import MerchantSettings
from binance_sandbox.merchant.storage import create_engine
from binance_sandbox.signing import load_public_key


def create_merchant_app(settings: MerchantSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        try:
            async with engine.begin() as connection:
                # A reference kit: the schema is created, not migrated.
                await connection.run_sync(Base.metadata.create_all)
            app.state.merchant = MerchantContext(
                settings=settings,
                engine=engine,
                sessions=async_sessionmaker(engine, expire_on_commit=False),
                webhook_key=(
                    load_public_key(settings.webhook_public_key)
                    if settings.webhook_public_key
                    else None
                ),
                ids=IdSource(settings.id_seed),
            )
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="binance-sandbox merchant kit",
        summary="A reference partner backend for Binance Connect Prime.",
        lifespan=lifespan,
        default_response_class=envelope.WireJSONResponse,
    )
    app.add_exception_handler(MerchantError, envelope.on_merchant_error)
    app.add_exception_handler(RequestValidationError, envelope.on_validation_error)
    app.add_exception_handler(Exception, envelope.on_unexpected_error)
    app.include_router(routes_callbacks.router)
    app.include_router(routes_webhooks.router)
    app.include_router(routes_merchant.router)

    @app.get("/healthz", tags=["health"])
    async def healthz(request: Request) -> envelope.WireJSONResponse:
        ctx = routes_callbacks.context_of(request)
        async with ctx.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return envelope.WireJSONResponse({"status": "ok"})

    return app
