"""Wallet requests as they leave the SDK and answers as it reads them: the spec's signature
example, where parameters go (query string or form body), the API-key header, the clock
offset, and typed, exact results of every endpoint (spec/wallet-wapi-v3.txt)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import parse_qsl

import httpx
import pytest
from sdk_connect_fakes import FakeClock, FakeSleep

from binance_sandbox.client import AsyncWalletClient, WalletClient, wallet_signature
from binance_sandbox.client.wallet_models import DepositStatus, WithdrawStatus

# The spec's example key pair ("SIGNED Endpoint Examples for POST /wapi/v3/withdraw.html").
API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET_KEY = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
SPEC_QUERY = (
    "asset=ETH&address=0x6915f16f8791d0a1cc2bf47c13a6b2a92000504b&amount=1"
    "&recvWindow=5000&name=test&timestamp=1510903211000"
)
SPEC_SIGNATURE = "157fb937ec848b5f802daa4d9f62bea08becbf4f311203bda2bd34cd9853e320"
SPEC_TIMESTAMP = 1510903211000
ETH_ADDRESS = "0x6915f16f8791d0a1cc2bf47c13a6b2a92000504b"
BASE_URL = "https://wallet.test"


DEPOSIT_HISTORY = """{"depositList":[
 {"insertTime":1508198532000,"amount":0.04670582,"asset":"ETH",
  "address":"0x6915f16f8791d0a1cc2bf47c13a6b2a92000504b",
  "txId":"0xdf33b22bdb2b28b1f75ccd201a4a4m6e7g83jy5fc5d5a9d1340961598cfcb0a1","status":1},
 {"insertTime":1508298532000,"amount":1000,"asset":"XMR","address":"463tWEBn5XZJSxLU",
  "addressTag":"342341222","txId":"b3c6219639c8ae3f9cf010cdc24fw7f7yt8j1e063f9b4bd1a05cb44c4b6e2509",
  "status":6}],"success":true}"""

WITHDRAW_HISTORY = """{"withdrawList":[
 {"id":"7213fea8e94b4a5593d507237e5a555b","amount":0.99,"transactionFee":0.01,
  "address":"0x6915f16f8791d0a1cc2bf47c13a6b2a92000504b","asset":"ETH",
  "txId":"0xdf33b22bdb2b28b1f75ccd201a4a4m6e7g83jy5fc5d5a9d1340961598cfcb0a1",
  "applyTime":1508198532000,"status":4},
 {"id":"7213fea8e94b4a5534ggsd237e5a555b","amount":999.9999,"transactionFee":0.0001,
  "address":"463tWEBn5XZJSxLU","addressTag":"342341222","asset":"XMR",
  "applyTime":1508198532000,"status":2}],"success":true}"""

API_TRADING_STATUS = """{"success":true,"status":{"isLocked":false,"plannedRecoverTime":0,
 "triggerCondition":{"GCR":150,"IFER":150,"UFR":300},
 "indicators":{"BTCUSDT":[{"i":"UFR","c":20,"v":0.05,"t":0.995},
  {"i":"IFER","c":20,"v":0.99,"t":0.99}]},"updateTime":1547630471725}}"""

DUST_LOG = """{"success":true,"results":{"total":1,"rows":[{"transfered_total":"0.00132256",
 "service_charge_total":"0.00002699","tran_id":4359321,"logs":[{"tranId":4359321,
 "serviceChargeAmount":"0.000009","uid":"10000015","amount":"0.0009",
 "operateTime":"2018-05-03 17:07:04","transferedAmount":"0.000441","fromAsset":"USDT"}],
 "operate_time":"2018-05-03 17:07:04"}]}}"""

TRADE_FEE = """{"tradeFee":[{"symbol":"ADABNB","maker":0.9000,"taker":1.0000},
 {"symbol":"BNBBTC","maker":0.3000,"taker":0.3000}],"success":true}"""

ASSET_DETAIL = """{"success":true,"assetDetail":{"CTR":{"minWithdrawAmount":"70.00000000",
 "depositStatus":false,"withdrawFee":35,"withdrawStatus":true,
 "depositTip":"Delisted, Deposit Suspended"},"SKY":{"minWithdrawAmount":"0.02000000",
 "depositStatus":true,"withdrawFee":0.01,"withdrawStatus":true}}}"""

SUB_ACCOUNTS = """{"success":true,"subAccounts":[{"email":"123@test.com","status":"enabled",
 "activated":true,"mobile":"91605290","gAuth":true,"createTime":1544433328000}]}"""

SUB_TRANSFERS = """{"success":true,"transfers":[{"from":"aaa@test.com","to":"bbb@test.com",
 "asset":"BTC","qty":"1","time":1544433328000}]}"""

SUB_ASSETS = """{"success":true,"balances":[{"asset":"ADA","free":10000,"locked":0},
 {"asset":"USDT","free":11652.14213,"locked":0}]}"""

DUST = """{"totalServiceCharge":"0.02102542","totalTransfered":"1.05127099","transferResult":[
 {"amount":"0.03000000","fromAsset":"ETH","operateTime":1563368549307,
  "serviceChargeAmount":"0.00500000","tranId":2970932918,"transferedAmount":"0.25000000"}]}"""

DIVIDENDS = """{"rows":[{"amount":"10.00000000","asset":"BHFT","divTime":1563189166000,
 "enInfo":"BHFT distribution","tranId":2968885920}],"total":1}"""

EXCHANGE_INFO = """{"timezone":"UTC","serverTime":1767225600000,"rateLimits":[
 {"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":1200}],
 "exchangeFilters":[],"symbols":[]}"""

ANSWERS = {
    "/api/v3/ping": "{}",
    "/api/v3/time": '{"serverTime":1767225600000}',
    "/api/v3/exchangeInfo": EXCHANGE_INFO,
    "/wapi/v3/withdraw.html": '{"msg":"success","success":true,"id":"w1"}',
    "/wapi/v3/depositHistory.html": DEPOSIT_HISTORY,
    "/wapi/v3/withdrawHistory.html": WITHDRAW_HISTORY,
    "/wapi/v3/depositAddress.html": (
        '{"address":"0xabc","success":true,"addressTag":"1231212","asset":"BNB"}'
    ),
    "/wapi/v3/accountStatus.html": '{"msg":"Normal","success":true}',
    "/wapi/v3/systemStatus.html": '{"status":0,"msg":"normal"}',
    "/wapi/v3/apiTradingStatus.html": API_TRADING_STATUS,
    "/wapi/v3/userAssetDribbletLog.html": DUST_LOG,
    "/wapi/v3/tradeFee.html": TRADE_FEE,
    "/wapi/v3/assetDetail.html": ASSET_DETAIL,
    "/wapi/v3/sub-account/list.html": SUB_ACCOUNTS,
    "/wapi/v3/sub-account/transfer/history.html": SUB_TRANSFERS,
    "/wapi/v3/sub-account/transfer.html": '{"success":true,"txnId":2966662589}',
    "/wapi/v3/sub-account/assets.html": SUB_ASSETS,
    "/sapi/v1/asset/dust": DUST,
    "/sapi/v1/asset/assetDividend": DIVIDENDS,
}
"""Spec-shaped answers (spec/wallet-wapi-v3.txt), numbers exactly as the spec writes them."""


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    query: str
    body: str
    headers: httpx.Headers

    @property
    def total_params(self) -> str:
        return self.query + self.body

    @property
    def params(self) -> list[tuple[str, str]]:
        return parse_qsl(self.total_params, keep_blank_values=True)

    @property
    def signature_ok(self) -> bool:
        """The signature is the last parameter and signs everything before it, as sent."""
        head, sep, signature = self.total_params.rpartition("&signature=")
        return bool(sep) and wallet_signature(SECRET_KEY, head) == signature


@dataclass
class FakeWallet:
    """Answers each path with canned JSON text (numbers exactly as written) and keeps what
    was sent."""

    answers: dict[str, str] = field(default_factory=lambda: dict(ANSWERS))
    sent: list[Sent] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(
            Sent(
                request.method,
                request.url.path,
                request.url.query.decode(),
                request.content.decode(),
                request.headers,
            )
        )
        text = self.answers[request.url.path]
        return httpx.Response(200, text=text, headers={"Content-Type": "application/json"})

    @property
    def last(self) -> Sent:
        return self.sent[-1]


@pytest.fixture
def wallet() -> FakeWallet:
    return FakeWallet()


@pytest.fixture
def make_client(
    wallet: FakeWallet, clock: FakeClock, sleep: FakeSleep
) -> Iterator[Callable[..., WalletClient]]:
    clients: list[WalletClient] = []

    def make(**options: object) -> WalletClient:
        client = WalletClient(
            BASE_URL,
            API_KEY,
            SECRET_KEY,
            transport=httpx.MockTransport(wallet),
            clock=clock,
            sleep=sleep,
            **options,  # type: ignore[arg-type]
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., WalletClient]) -> WalletClient:
    return make_client()


# --- signing ---------------------------------------------------------------------------------


def test_the_signature_of_the_spec_example() -> None:
    assert wallet_signature(SECRET_KEY, SPEC_QUERY) == SPEC_SIGNATURE
    assert wallet_signature(SECRET_KEY, SPEC_QUERY.encode()) == SPEC_SIGNATURE


def test_a_wapi_withdraw_sends_everything_in_the_query_string_signed_last(
    wallet: FakeWallet, client: WalletClient, clock: FakeClock
) -> None:
    clock.now_ms = SPEC_TIMESTAMP

    result = client.withdraw("ETH", ETH_ADDRESS, 1, name="test")

    sent = wallet.last
    assert (sent.method, sent.path, sent.body) == ("POST", "/wapi/v3/withdraw.html", "")
    unsigned = (
        f"asset=ETH&address={ETH_ADDRESS}&amount=1&name=test"
        f"&recvWindow=5000&timestamp={SPEC_TIMESTAMP}"
    )
    assert sent.query == f"{unsigned}&signature={wallet_signature(SECRET_KEY, unsigned)}"
    assert sent.headers["X-MBX-APIKEY"] == API_KEY
    assert (result.id, result.msg) == ("w1", "success")


def test_the_spec_example_signature_goes_out_when_its_parameters_do(
    wallet: FakeWallet, client: WalletClient, clock: FakeClock
) -> None:
    # The example's own order puts `name` after `recvWindow`; the client appends recvWindow
    # and timestamp last, so with no name it signs the example's other form.
    clock.now_ms = SPEC_TIMESTAMP
    client.withdraw("ETH", ETH_ADDRESS, Decimal("1"))
    unsigned = (
        f"asset=ETH&address={ETH_ADDRESS}&amount=1&recvWindow=5000&timestamp={SPEC_TIMESTAMP}"
    )
    assert wallet.last.query == f"{unsigned}&signature={wallet_signature(SECRET_KEY, unsigned)}"
    assert wallet.last.signature_ok


def test_a_sapi_post_sends_a_form_body_with_repeated_asset_keys(
    wallet: FakeWallet, client: WalletClient, clock: FakeClock
) -> None:
    client.dust(["BTC", "USDT"])

    sent = wallet.last
    assert (sent.method, sent.path, sent.query) == ("POST", "/sapi/v1/asset/dust", "")
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.body.startswith(f"asset=BTC&asset=USDT&recvWindow=5000&timestamp={clock.now_ms}&")
    assert sent.signature_ok


def test_gets_send_the_parameters_in_the_query_string(
    wallet: FakeWallet, client: WalletClient, clock: FakeClock
) -> None:
    client.deposit_history(asset="ETH", status=DepositStatus.SUCCESS, start_time=1, end_time=2)

    sent = wallet.last
    assert (sent.method, sent.body) == ("GET", "")
    assert sent.params[:-1] == [
        ("asset", "ETH"),
        ("status", "1"),
        ("startTime", "1"),
        ("endTime", "2"),
        ("recvWindow", "5000"),
        ("timestamp", str(clock.now_ms)),
    ]
    assert sent.signature_ok


def test_values_are_percent_encoded_and_signed_as_sent(
    wallet: FakeWallet, client: WalletClient
) -> None:
    client.sub_account_transfer("a+b@x.com", "c d@x.com", "BTC", "0.00000001")

    sent = wallet.last
    assert sent.query.startswith("fromEmail=a%2Bb%40x.com&toEmail=c%20d%40x.com&asset=BTC&")
    assert ("fromEmail", "a+b@x.com") in sent.params
    assert ("amount", "0.00000001") in sent.params
    assert sent.signature_ok


def test_amounts_are_sent_exactly_and_floats_refused(
    wallet: FakeWallet, client: WalletClient
) -> None:
    client.withdraw("BTC", "addr", Decimal("1E-8"))
    assert ("amount", "0.00000001") in wallet.last.params
    client.withdraw("BTC", "addr", "123456789.123456789")
    assert ("amount", "123456789.123456789") in wallet.last.params
    with pytest.raises(TypeError):
        client.withdraw("BTC", "addr", 0.1)  # type: ignore[arg-type]
    assert len(wallet.sent) == 2


def test_booleans_go_out_as_the_spec_writes_them(wallet: FakeWallet, client: WalletClient) -> None:
    client.deposit_address("BNB", status=True)
    assert wallet.last.params[:2] == [("asset", "BNB"), ("status", "true")]


def test_public_endpoints_are_not_signed(wallet: FakeWallet, client: WalletClient) -> None:
    client.ping()
    client.system_status()
    assert [(s.path, s.query) for s in wallet.sent] == [
        ("/api/v3/ping", ""),
        ("/wapi/v3/systemStatus.html", ""),
    ]


def test_recv_window_is_sent_and_bounded(
    wallet: FakeWallet, make_client: Callable[..., WalletClient]
) -> None:
    make_client(recv_window=60_000).account_status()
    assert ("recvWindow", "60000") in wallet.last.params
    with pytest.raises(ValueError, match="recv_window"):
        make_client(recv_window=60_001)


def test_sync_time_signs_with_the_servers_clock(
    wallet: FakeWallet, client: WalletClient, clock: FakeClock
) -> None:
    # The sandbox clock was moved a day ahead of the client's.
    server_ms = clock.now_ms + 86_400_000
    wallet.answers["/api/v3/time"] = f'{{"serverTime":{server_ms}}}'

    assert client.sync_time() == 86_400_000
    assert client.time_offset == 86_400_000
    client.account_status()
    assert ("timestamp", str(server_ms)) in wallet.last.params


def test_a_given_time_offset_is_used(
    wallet: FakeWallet, make_client: Callable[..., WalletClient], clock: FakeClock
) -> None:
    make_client(time_offset=-1500).account_status()
    assert ("timestamp", str(clock.now_ms - 1500)) in wallet.last.params


def test_the_used_weight_is_kept(clock: FakeClock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={}, headers={"X-MBX-USED-WEIGHT-1M": "7"})

    with WalletClient(
        BASE_URL, API_KEY, SECRET_KEY, transport=httpx.MockTransport(handler), clock=clock
    ) as client:
        assert client.used_weight is None
        client.ping()
        assert client.used_weight == 7


# --- answers: every endpoint, typed and exact ---------------------------------------------


def test_deposit_and_withdraw_history_are_typed_and_exact(
    wallet: FakeWallet, client: WalletClient
) -> None:
    deposits = client.deposit_history()
    assert [d.amount for d in deposits] == [Decimal("0.04670582"), Decimal("1000")]
    assert str(deposits[0].amount) == "0.04670582"
    assert deposits[1].status is DepositStatus.CREDITED_CANNOT_WITHDRAW
    assert (deposits[0].address_tag, deposits[1].address_tag) == (None, "342341222")
    assert deposits[0].insert_time == 1508198532000

    withdrawals = client.withdraw_history(asset="XMR", status=WithdrawStatus.AWAITING_APPROVAL)
    assert withdrawals[1].amount + withdrawals[1].transaction_fee == Decimal("1000.0000")
    assert withdrawals[0].amount + withdrawals[0].transaction_fee == Decimal("1.00")
    assert withdrawals[0].status is WithdrawStatus.PROCESSING
    assert not withdrawals[0].status.is_final
    assert withdrawals[1].tx_id is None


def test_a_number_too_precise_for_a_float_stays_exact(
    wallet: FakeWallet, client: WalletClient
) -> None:
    wallet.answers["/wapi/v3/sub-account/assets.html"] = (
        '{"success":true,"balances":[{"asset":"BTC","free":12345678901234567.123456789012,'
        '"locked":0.1}]}'
    )
    [balance] = client.sub_account_assets("sub@x.com")
    assert balance.free == Decimal("12345678901234567.123456789012")
    assert balance.locked + Decimal("0.2") == Decimal("0.3")


def test_account_and_system_endpoints(wallet: FakeWallet, client: WalletClient) -> None:
    wallet.answers["/wapi/v3/systemStatus.html"] = '{"status":1,"msg":"system maintenance"}'
    assert client.account_status().msg == "Normal"
    assert client.account_status().objs == []
    assert not client.system_status().is_normal

    trading = client.api_trading_status()
    assert trading.trigger_condition == {"GCR": 150, "IFER": 150, "UFR": 300}
    ufr = trading.indicators["BTCUSDT"][0]
    assert (ufr.indicator, ufr.count, ufr.current_value, ufr.trigger_value) == (
        "UFR",
        20,
        Decimal("0.05"),
        Decimal("0.995"),
    )

    dust_log = client.dust_log()
    [row] = dust_log.rows
    assert (dust_log.total, row.tran_id, row.transfered_total) == (
        1,
        4359321,
        Decimal("0.00132256"),
    )
    assert row.logs[0].from_asset == "USDT"
    assert row.logs[0].uid == "10000015"

    fees = client.trade_fee(symbol="ADABNB")
    assert ("symbol", "ADABNB") in wallet.last.params
    assert str(fees[0].maker) == "0.9000"

    details = client.asset_detail()
    assert details["CTR"].withdraw_fee == Decimal(35)
    assert details["CTR"].deposit_tip == "Delisted, Deposit Suspended"
    assert details["SKY"].min_withdraw_amount == Decimal("0.02")
    assert details["SKY"].withdraw_fee == Decimal("0.01")

    address = client.deposit_address("BNB")
    assert (address.address, address.address_tag, address.asset) == ("0xabc", "1231212", "BNB")


def test_sub_account_endpoints(wallet: FakeWallet, client: WalletClient) -> None:
    [sub] = client.sub_account_list(status="enabled", page=1, limit=10)
    assert wallet.last.params[:3] == [("status", "enabled"), ("page", "1"), ("limit", "10")]
    assert (sub.email, sub.g_auth, sub.create_time) == ("123@test.com", True, 1544433328000)

    [transfer] = client.sub_account_transfer_history("aaa@test.com", page=2)
    assert (transfer.from_email, transfer.to_email, transfer.qty) == (
        "aaa@test.com",
        "bbb@test.com",
        Decimal(1),
    )

    assert client.sub_account_transfer("a@x.com", "b@x.com", "BTC", 1).txn_id == "2966662589"

    balances = client.sub_account_assets("a@x.com", symbol="ADA")
    assert [(b.asset, b.free) for b in balances] == [
        ("ADA", Decimal(10000)),
        ("USDT", Decimal("11652.14213")),
    ]


def test_sapi_and_general_endpoints(wallet: FakeWallet, client: WalletClient) -> None:
    dust = client.dust("ETH")
    assert wallet.last.body.startswith("asset=ETH&recvWindow=")
    assert dust.total_transfered == Decimal("1.05127099")
    assert dust.transfer_result[0].tran_id == 2970932918

    page = client.asset_dividend(asset="BHFT", start_time=1, end_time=2)
    assert (wallet.last.method, wallet.last.path) == ("GET", "/sapi/v1/asset/assetDividend")
    assert page.total == 1
    assert page.rows[0].amount == Decimal("10.00000000")

    info = client.exchange_info()
    assert info.rate_limits[0].limit == 1200
    assert client.server_time() == 1767225600000
    assert client.ping() is None


def test_missing_lists_read_as_empty(wallet: FakeWallet, client: WalletClient) -> None:
    wallet.answers["/wapi/v3/depositHistory.html"] = '{"success":true}'
    assert client.deposit_history() == []


def test_dust_needs_an_asset(client: WalletClient) -> None:
    with pytest.raises(ValueError, match="at least one asset"):
        client.dust([])


# --- async -------------------------------------------------------------------------------------


async def test_the_async_client_sends_the_same_requests(
    wallet: FakeWallet, clock: FakeClock, sleep: FakeSleep
) -> None:
    clock.now_ms = SPEC_TIMESTAMP - 5000
    wallet.answers["/api/v3/time"] = f'{{"serverTime":{SPEC_TIMESTAMP}}}'

    async with AsyncWalletClient(
        BASE_URL,
        API_KEY,
        SECRET_KEY,
        transport=httpx.MockTransport(wallet),
        clock=clock,
        sleep=sleep.asleep,
    ) as client:
        assert await client.sync_time() == 5000
        result = await client.withdraw("ETH", ETH_ADDRESS, 1)
        deposits = await client.deposit_history()
        await client.dust(["BTC", "USDT"])

    unsigned = (
        f"asset=ETH&address={ETH_ADDRESS}&amount=1&recvWindow=5000&timestamp={SPEC_TIMESTAMP}"
    )
    assert wallet.sent[1].query == f"{unsigned}&signature={wallet_signature(SECRET_KEY, unsigned)}"
    assert result.id == "w1"
    assert deposits[0].amount == Decimal("0.04670582")
    assert wallet.last.body.startswith("asset=BTC&asset=USDT&")
    assert all(sent.signature_ok for sent in wallet.sent[1:])
