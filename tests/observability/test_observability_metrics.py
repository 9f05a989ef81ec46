"""`GET /metrics` on a real server: request counters and latency histograms by route
template, webhook delivery outcomes, outbox depth read from the database, and the optional
scrape token."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from binance_sandbox.client import ConnectPrimeClient
from binance_sandbox.observability.metrics import Metrics, OutboxSnapshot
from sandbox_harness import Sandbox, ServerThread

SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
QUOTE_PATH = "/papi/v1/ramp/connect/prime/quote"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    samples: Samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, line
        labels = frozenset(LABEL.findall(match["labels"] or ""))
        samples[(match["name"], labels)] = float(match["value"])
    return samples


def scrape(box: Sandbox, **headers: str) -> Samples:
    r = httpx.get(f"{box.url}/metrics", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(r.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def matching(samples: Samples, name: str, **labels: str) -> dict[frozenset[tuple[str, str]], float]:
    want = set(labels.items())
    return {k: v for (n, k), v in samples.items() if n == name and want <= k}


@pytest.fixture(scope="module")
def box(make_sandbox: Any) -> Sandbox:
    return make_sandbox("metrics")


def test_requests_are_counted_by_route_template_family_code_and_status(box: Sandbox) -> None:
    def call() -> httpx.Response:
        # Unsigned: the family answers with its envelope, which is still a request to count.
        r = httpx.post(f"{box.url}{QUOTE_PATH}", json={})
        assert r.json()["code"] == "1230201", r.text
        return r

    labels = {
        "family": "connect",
        "endpoint": QUOTE_PATH,
        "code": "1230201",
        "http_status": str(call().status_code),
    }
    before = scrape(box)
    for _ in range(3):
        call()
    after = scrape(box)
    assert (
        value(after, "bsx_requests_total", **labels)
        == value(before, "bsx_requests_total", **labels) + 3
    )
    timed = {"family": "connect", "endpoint": QUOTE_PATH}
    assert (
        value(after, "bsx_request_duration_seconds_count", **timed)
        == value(before, "bsx_request_duration_seconds_count", **timed) + 3
    )


def test_endpoint_label_is_the_template_not_the_raw_path(box: Sandbox) -> None:
    r = box.admin.get("/sandbox/v1/partners/no-such-partner-42")
    assert r.status_code == 404, r.text
    text = httpx.get(f"{box.url}/metrics").text
    assert "no-such-partner-42" not in text
    counted = matching(
        parse(text), "bsx_requests_total", endpoint="/sandbox/v1/partners/{client_id}"
    )
    assert sum(counted.values()) >= 1
    assert {dict(k)["http_status"] for k in counted} == {"404"}


def test_histogram_buckets_are_cumulative_and_end_at_the_count(box: Sandbox) -> None:
    box.admin.get("/sandbox/v1/clock")
    samples = scrape(box)
    series = matching(samples, "bsx_request_duration_seconds_count")
    assert series
    for labels, count in series.items():
        buckets = sorted(
            (float(dict(k)["le"]), v)
            for k, v in matching(
                samples, "bsx_request_duration_seconds_bucket", **dict(labels)
            ).items()
        )
        counts = [v for _le, v in buckets]
        assert counts == sorted(counts), buckets
        assert buckets[-1] == (float("inf"), count)
        assert value(samples, "bsx_request_duration_seconds_sum", **dict(labels)) >= 0


def test_build_info_and_outbox_gauges_are_present(box: Sandbox) -> None:
    from binance_sandbox import __version__

    samples = scrape(box)
    assert value(samples, "bsx_build_info", version=__version__) == 1
    assert ("bsx_outbox_pending", frozenset()) in samples
    assert ("bsx_outbox_oldest_due_seconds", frozenset()) in samples


class Receiver:
    """A partner's webhook endpoint that fails while `failing` is set."""

    def __init__(self) -> None:
        self.failing = True
        self.calls = 0
        self.lock = threading.Lock()

        async def receive(request: Request) -> JSONResponse:
            await request.body()
            with self.lock:
                self.calls += 1
            if self.failing:
                return JSONResponse({"returnCode": "FAIL"}, status_code=500)
            return JSONResponse({"returnCode": "SUCCESS", "returnMessage": "OK"})

        self.server = ServerThread(
            Starlette(routes=[Route("/hook", receive, methods=["POST"])])
        ).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.stop()


def sell(box: Sandbox, webhook_url: str, ref: str) -> str:
    partner = box.create_partner(webhookUrl=webhook_url)
    user = box.create_user(partner)
    box.credit(user, "BTC", "1")
    with ConnectPrimeClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as c:
        q = c.quote(
            user,
            fiat_currency="USD",
            crypto_currency="BTC",
            direction="SELL",
            amount=Decimal("0.01"),
            amount_type=2,
        )
        return c.execute_quote(q.quote_id, ref).order_id


def test_webhook_deliveries_are_counted_by_outcome(make_sandbox: Any, receiver: Receiver) -> None:
    box = make_sandbox("metrics-hooks")
    sell(box, f"{receiver.server.url}/hook", "metrics-hook-1")

    def deliveries(outcome: str) -> float:
        return value(scrape(box), "bsx_webhook_deliveries_total", family="prime", outcome=outcome)

    box.settle()
    assert deliveries("retry") == 1  # the failed first attempt
    assert deliveries("success") == 0
    receiver.failing = False
    box.advance(3_600_000)  # past the backoff, on the sandbox clock
    assert deliveries("success") == 1
    assert deliveries("gave_up") == 0


def test_queue_depth_counts_pending_outbox_items(make_sandbox: Any) -> None:
    # No worker: what the order writes to the outbox stays pending.
    box = make_sandbox("metrics-queue", embedded_worker=False)
    assert value(scrape(box), "bsx_outbox_pending") == 0
    sell(box, "http://127.0.0.1:9/hook", "metrics-queue-1")
    pending = value(scrape(box), "bsx_outbox_pending")
    assert pending >= 1
    sell(box, "http://127.0.0.1:9/hook", "metrics-queue-2")
    assert value(scrape(box), "bsx_outbox_pending") > pending
    box.advance(10_000, settle=False)  # only the clock moves: nothing runs the items
    assert value(scrape(box), "bsx_outbox_oldest_due_seconds") >= 10


def test_metrics_token_guards_the_scrape(make_sandbox: Any) -> None:
    box = make_sandbox("metrics-token", metrics_token="scrape-secret")
    assert httpx.get(f"{box.url}/metrics").status_code == 401
    wrong = httpx.get(f"{box.url}/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert scrape(box, Authorization="Bearer scrape-secret")


def test_metrics_can_be_turned_off(make_sandbox: Any) -> None:
    box = make_sandbox("metrics-off", metrics_enabled=False)
    assert httpx.get(f"{box.url}/metrics").status_code == 404


def test_render_escapes_label_values() -> None:
    metrics = Metrics("1.0")
    metrics.observe_request(
        family="pay", endpoint='/a"b\\c\nd', code=None, http_status=200, seconds=0.003
    )
    text = metrics.render(OutboxSnapshot(pending=2, oldest_due_seconds=1.5))
    assert 'endpoint="/a\\"b\\\\c\\nd"' in text
    assert "bsx_outbox_pending 2\n" in text
    assert "bsx_outbox_oldest_due_seconds 1.5\n" in text
    samples = parse(text)
    assert (
        value(
            samples,
            "bsx_request_duration_seconds_bucket",
            family="pay",
            endpoint='/a\\"b\\\\c\\nd',
            le="0.0025",
        )
        == 0
    )
    assert (
        value(
            samples,
            "bsx_request_duration_seconds_bucket",
            family="pay",
            endpoint='/a\\"b\\\\c\\nd',
            le="0.005",
        )
        == 1
    )
