"""The app factory: one ASGI app with every family, the control API and the worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount

from binance_sandbox import __version__
from binance_sandbox.chain.admin import ChainAdmin
from binance_sandbox.chain.jobs import chain_handlers
from binance_sandbox.chain.service_addresses import AddressService
from binance_sandbox.chain.service_transfers import TransferService
from binance_sandbox.chain.service_withdrawals import WithdrawalService
from binance_sandbox.chain.switches import NetworkSwitches
from binance_sandbox.config import Settings
from binance_sandbox.connect.admin import PartnerAdmin
from binance_sandbox.connect.auth import PartnerDirectory
from binance_sandbox.connect.envelope import CONNECT
from binance_sandbox.console.routes import router as console_router
from binance_sandbox.control import health
from binance_sandbox.control.errors import NotFound, render_control_error
from binance_sandbox.control.networks import router as networks_router
from binance_sandbox.control.routes import routers as control_routers
from binance_sandbox.delivery.admin import DeliveryAdmin
from binance_sandbox.delivery.clocks import ClockAdmin, Settler
from binance_sandbox.delivery.webhooks import webhook_handler
from binance_sandbox.delivery.worker import Handler, Worker
from binance_sandbox.deposit import routes as deposit_routes
from binance_sandbox.deposit.admin import DepositAdmin
from binance_sandbox.deposit.jobs import deposit_handlers
from binance_sandbox.deposit.service_decisions import DecisionService
from binance_sandbox.deposit.service_networks import NetworkService
from binance_sandbox.deposit.service_page import DepositPage
from binance_sandbox.deposit.service_sessions import SessionService
from binance_sandbox.faults.api import ApiFaults
from binance_sandbox.faults.delivery import OutboundFaults
from binance_sandbox.faults.routes import router as faults_router
from binance_sandbox.faults.rules import FaultBook
from binance_sandbox.hosted.deposit import router as deposit_page_router
from binance_sandbox.hosted.routes import router as hosted_router
from binance_sandbox.observability.metrics import Metrics
from binance_sandbox.observability.requests import RequestLogViews
from binance_sandbox.observability.routes import router as metrics_router
from binance_sandbox.pay import routes as pay_routes
from binance_sandbox.pay.admin import PayAdmin
from binance_sandbox.pay.auth import MerchantDirectory
from binance_sandbox.pay.envelope import PAY
from binance_sandbox.pay.jobs import pay_handlers
from binance_sandbox.pay.keys import PayWebhookKey, load_pay_key
from binance_sandbox.pay.payouts import PayoutService
from binance_sandbox.pay.service_checkout import CheckoutService
from binance_sandbox.pay.service_notices import OrderNotices
from binance_sandbox.pay.service_orders import OrderService
from binance_sandbox.pay.service_refunds import RefundService
from binance_sandbox.pay.wallet import WalletService
from binance_sandbox.platform import Platform, open_platform
from binance_sandbox.prime import routes as prime_routes
from binance_sandbox.prime.admin import PrimeAdmin
from binance_sandbox.prime.jobs import prime_handlers
from binance_sandbox.prime.service_market import MarketData
from binance_sandbox.prime.service_orders import OrderQueries
from binance_sandbox.prime.service_reference import ReferenceService
from binance_sandbox.prime.service_settlement import SettlementService
from binance_sandbox.prime.service_trading import TradeService
from binance_sandbox.wallet import routes as wallet_routes
from binance_sandbox.wallet.admin_users import UserAdmin
from binance_sandbox.wallet.envelope import API, SAPI, WAPI
from binance_sandbox.wallet.service import build_wapi
from binance_sandbox.web.chain import Operation, mount
from binance_sandbox.web.edge import Edge
from binance_sandbox.web.openapi import publish

log = logging.getLogger("binance_sandbox")


@dataclass
class Services:
    chain_networks: NetworkSwitches
    chain_addresses: AddressService
    chain_transfers: TransferService
    chain_withdrawals: WithdrawalService
    deposit_networks: NetworkService
    deposit_sessions: SessionService
    deposit_decisions: DecisionService
    deposit_page: DepositPage
    prime_reference: ReferenceService
    prime_trading: TradeService
    prime_orders: OrderQueries
    prime_market: MarketData
    prime_settlement: SettlementService
    pay_notices: OrderNotices
    pay_orders: OrderService
    pay_checkout: CheckoutService
    pay_refunds: RefundService
    payouts: PayoutService
    wallet: WalletService
    pay_key: PayWebhookKey


async def build_services(platform: Platform) -> Services:
    notices = OrderNotices(platform)
    pay_key = await load_pay_key(platform.db)
    # The networks' run-time switches, set through the control API (chain/switches.py).
    switches = NetworkSwitches(platform.db)
    addresses = AddressService(platform, switches)
    transfers = TransferService(platform, addresses)
    return Services(
        chain_networks=switches,
        chain_addresses=addresses,
        chain_transfers=transfers,
        chain_withdrawals=WithdrawalService(platform, switches, addresses, transfers),
        deposit_networks=NetworkService(switches),
        deposit_sessions=SessionService(platform, switches),
        deposit_decisions=DecisionService(platform, addresses),
        deposit_page=DepositPage(platform),
        prime_reference=ReferenceService(platform),
        prime_trading=TradeService(platform),
        prime_orders=OrderQueries(platform),
        prime_market=MarketData(platform),
        prime_settlement=SettlementService(platform),
        pay_notices=notices,
        pay_orders=OrderService(platform, notices),
        pay_checkout=CheckoutService(platform, notices),
        pay_refunds=RefundService(platform, notices),
        payouts=PayoutService(platform, notices),
        wallet=WalletService(platform, pay_key),
        pay_key=pay_key,
    )


def build_handlers(platform: Platform, services: Services) -> dict[str, Handler]:
    signers = {"connect": platform.keys.sign, "pay": services.pay_key.sign}
    return {
        "webhook": webhook_handler(signers),
        **prime_handlers(platform, services.prime_settlement),
        **pay_handlers(services.pay_checkout, services.pay_refunds, services.payouts),
        **chain_handlers(services.chain_transfers, services.chain_withdrawals),
        **deposit_handlers(services.deposit_decisions),
    }


def build_worker(
    platform: Platform,
    services: Services,
    metrics: Metrics | None = None,
    faults: FaultBook | None = None,
) -> Worker:
    s = platform.settings
    worker = Worker(
        db=platform.db,
        clock=platform.clock,
        http=platform.http,
        handlers=build_handlers(platform, services),
        # A move made in another process is seen within CLOCK_MAX_AGE_S, as by requests;
        # one made here, and a commit's wake-up, need no read.
        refresh_clock=platform.refresh_clock_if_stale,
        poll_ms=s.worker_poll_ms,
        batch=s.worker_batch,
        concurrency=s.worker_concurrency,
        lease_ms=s.worker_lease_ms,
        backoff_base_ms=s.webhook_backoff_base_ms,
        backoff_cap_ms=s.webhook_backoff_cap_ms,
        metrics=metrics,
        outbound=None if faults is None else OutboundFaults(faults),
    )
    return worker


async def _flush_request_log(platform: Platform, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        try:
            await platform.flush_request_log()
        except Exception:
            log.exception("could not write the request log")


def create_app(settings: Settings) -> Edge:
    metrics = Metrics(__version__) if settings.metrics_enabled else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        platform = await open_platform(settings)
        services = await build_services(platform)
        app.state.platform = platform
        app.state.clock = platform.clock
        app.state.request_log = platform.request_log if settings.log_requests else None
        app.state.metrics = metrics
        app.state.chain_networks = services.chain_networks
        app.state.chain_addresses = services.chain_addresses
        app.state.chain_transfers = services.chain_transfers
        app.state.chain_withdrawals = services.chain_withdrawals
        app.state.deposit_networks = services.deposit_networks
        app.state.deposit_sessions = services.deposit_sessions
        app.state.deposit_decisions = services.deposit_decisions
        app.state.deposit_page = services.deposit_page
        app.state.prime_reference = services.prime_reference
        app.state.prime_trading = services.prime_trading
        app.state.prime_orders = services.prime_orders
        app.state.prime_market = services.prime_market
        app.state.pay_orders = services.pay_orders
        app.state.pay_checkout = services.pay_checkout
        app.state.pay_refunds = services.pay_refunds
        app.state.payouts = services.payouts
        app.state.wallet = services.wallet
        app.state.partners = PartnerDirectory(platform.db)
        app.state.merchants = MerchantDirectory(platform.db)
        # The control plane's use cases, which the control API, the console and the
        # scenarios call.
        app.state.partner_admin = PartnerAdmin(platform, app.state.partners)
        app.state.user_admin = UserAdmin(platform, services.chain_addresses)
        app.state.pay_admin = PayAdmin(
            platform,
            app.state.merchants,
            notices=services.pay_notices,
            checkout=services.pay_checkout,
            refunds=services.pay_refunds,
        )
        app.state.prime_admin = PrimeAdmin(platform, services.prime_settlement)
        app.state.deposit_admin = DepositAdmin(platform, services.deposit_decisions)
        app.state.chain_admin = ChainAdmin(
            platform, services.chain_transfers, services.chain_withdrawals
        )
        app.state.deliveries = DeliveryAdmin(
            platform.db,
            platform.clock,
            max_attempts=settings.webhook_max_attempts,
        )
        app.state.request_views = RequestLogViews(platform.db, platform.flush_request_log)
        app.state.wapi = build_wapi(platform)
        # Fault rules live in the database, shared with other processes (docs/faults.md).
        app.state.faults = FaultBook(
            platform.db, settings.seed, refresh_ms=settings.fault_refresh_ms
        )
        app.state.request_hook = ApiFaults(app.state.faults)
        # A settling clock move runs due work in this process, with or without the worker
        # running here (delivery/clocks.py).
        worker = build_worker(platform, services, metrics, app.state.faults)
        settler = Settler(platform, worker)
        app.state.clocks = ClockAdmin(platform, settler)
        stop = asyncio.Event()
        tasks = [asyncio.create_task(_flush_request_log(platform, stop))]
        if settings.embedded_worker:
            tasks.append(asyncio.create_task(worker.run(stop)))
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            await settler.aclose()
            await platform.flush_request_log()
            await app.state.wapi.aclose()
            await platform.aclose()

    api = FastAPI(
        title="binance-sandbox",
        version=__version__,
        description=(
            "A stateful sandbox of Binance's partner platform: Connect Prime "
            "(`/papi/v1/ramp/connect/prime`), Connect Deposit (`/papi/v1/ramp/connect`), "
            "Binance Pay (`/binancepay/openapi`), the Wallet API (`/wapi/v3`, `/sapi/v1`, "
            "`/api/v3`), and the sandbox's control API (`/sandbox/v1`, Authorization: Bearer "
            "<admin token>)."
        ),
        # The sandbox exports its own metrics (`/metrics`); FastAPI's OpenTelemetry would look
        # for global providers on every request, a tenth of a signed read's time.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    api.include_router(health.router)
    routers = [
        *control_routers,
        faults_router,
        networks_router,
        hosted_router,
        deposit_page_router,
        console_router,
        metrics_router,
    ]
    for router in routers:
        api.include_router(router)
    publish(api, family_operations())

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Unknown paths and wrong methods outside the families (each family's mount answers
        its own) get the control API's envelope under /sandbox, FastAPI's elsewhere."""
        if request.url.path.startswith("/sandbox/"):
            message = (
                "Unknown endpoint."
                if exc.status_code == 404
                else f"HTTP {exc.status_code}: {exc.detail}"
            )
            response, _ = render_control_error(NotFound(message))
            response.status_code = exc.status_code
            return response
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    # The families first: their requests are the most, and each route tried before costs a
    # match. Then the health check, polled.
    return Edge(api, [*family_mounts(), health.route(api)], lifespan)


def family_operations() -> list[Operation[Any]]:
    """Every family's operations, in the order the OpenAPI document lists them."""
    return [
        *prime_routes.operations,
        *prime_routes.alias,
        *deposit_routes.operations,
        *pay_routes.operations,
        *wallet_routes.wapi_operations,
        *wallet_routes.sapi_operations,
        *wallet_routes.api_operations,
    ]


def family_mounts() -> list[Mount]:
    """Each family under its own prefix, answering there every path it does not know."""
    return [
        mount("/binancepay", PAY, pay_routes.operations),
        mount(
            "/papi",
            CONNECT,
            [*prime_routes.operations, *prime_routes.alias, *deposit_routes.operations],
        ),
        mount("/wapi", WAPI, wallet_routes.wapi_operations),
        mount("/sapi", SAPI, wallet_routes.sapi_operations),
        mount("/api", API, wallet_routes.api_operations),
    ]
