"""What must hold after the bank test, read from the database itself, from the clients'
history and from what the receivers got. Each check returns the violations it found; the
first one in `INVARIANTS` order is the one a failing run reports first."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bank_clients import History, Op, World
from bank_receivers import Received, check_answer
from sqlalchemy import Engine, func, select

from binance_sandbox.ledger import money
from binance_sandbox.market import CRYPTOS, FIATS
from binance_sandbox.storage.models import (
    Account,
    ChainTransfer,
    JournalEntry,
    OutboxItem,
    PayOrder,
    PayPayout,
    PayPayoutDetail,
    PayRefund,
    Posting,
    PrimeOrder,
    WalletSubAccountTransfer,
    Withdrawal,
)

TREASURY_UNITS = money.to_units(Decimal("1000000000"))
MINT_BURN = ("treasury_mint", "faucet", "fiat_in", "fiat_out", "chain_deposit", "withdrawal")
# Entries that move money once per business object (ref_id), never twice.
ONCE_PER_REF = (
    "fiat_in",
    "fiat_out",
    "prime_buy",
    "prime_sell",
    "prime_sell_hold",
    "prime_sell_release",
    "pay_payment",
    "pay_refund_hold",
    "pay_refund",
    "pay_refund_reject",
    "pay_payout_hold",
    "chain_deposit",
)
PAID_STATES = ("PAID", "REFUNDING", "REFUNDED", "FULL_REFUNDED")
WITHDRAWAL_RETURNED = (1, 3, 5)


@dataclass(frozen=True)
class Violation:
    invariant: str
    detail: str

    def __str__(self) -> str:
        return f"{self.invariant}: {self.detail}"


@dataclass
class Facts:
    """Everything the checks read, loaded once after the run."""

    world: World
    history: History
    got: Received
    audit: dict[str, Any]
    process_problems: list[str]
    outbox_pending: int
    # Rows of these tables (attributes named as the models' columns).
    prime: list[Any]  # PrimeOrder
    pay_orders: list[Any]  # PayOrder
    refunds: list[Any]  # PayRefund
    payouts: list[Any]  # PayPayout
    payout_details: list[Any]  # PayPayoutDetail
    withdrawals: list[Any]  # Withdrawal
    transfers: list[Any]  # ChainTransfer
    sub_transfers: list[Any]  # WalletSubAccountTransfer
    outbox_failed: list[Any]  # OutboxItem
    negative: list[tuple[str, str, str, int]]
    internal: dict[str, int]  # asset → sum of every non-external balance
    minted: dict[str, dict[str, int]]  # entry kind → asset → amount into the platform
    once_per_ref: list[tuple[str, str, int]]  # (kind, ref, count) seen more than once
    entries_by_ref: dict[tuple[str, str], int]  # (kind, ref) → count
    treasury_mints: dict[str, int]  # asset → number of treasury_mint entries


def load(
    engine: Engine,
    world: World,
    history: History,
    got: Received,
    audit: dict[str, Any],
    process_problems: list[str],
) -> Facts:
    with engine.connect() as conn:

        def objects(model: Any) -> list[Any]:
            return list(conn.execute(select(model.__table__)).all())

        minted: dict[str, dict[str, int]] = defaultdict(dict)
        external = (
            select(JournalEntry.kind, Posting.asset, func.sum(Posting.amount))
            .join(Posting, Posting.entry_id == JournalEntry.id)
            .join(Account, Account.id == Posting.account_id)
            .where(Account.kind == "external")
            .group_by(JournalEntry.kind, Posting.asset)
        )
        for kind, asset, total in conn.execute(external).all():
            minted[kind][asset] = -int(total)
        counted = conn.execute(
            select(JournalEntry.kind, JournalEntry.ref_id, func.count()).group_by(
                JournalEntry.kind, JournalEntry.ref_id
            )
        ).all()
        treasury = conn.execute(
            select(Posting.asset, func.count())
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .join(Account, Account.id == Posting.account_id)
            .where(JournalEntry.kind == "treasury_mint", Account.kind == "external")
            .group_by(Posting.asset)
        ).all()
        return Facts(
            world=world,
            history=history,
            got=got,
            audit=audit,
            process_problems=process_problems,
            outbox_pending=int(
                conn.execute(
                    select(func.count())
                    .select_from(OutboxItem)
                    .where(OutboxItem.status == "pending")
                ).scalar_one()
            ),
            prime=objects(PrimeOrder),
            pay_orders=objects(PayOrder),
            refunds=objects(PayRefund),
            payouts=objects(PayPayout),
            payout_details=objects(PayPayoutDetail),
            withdrawals=objects(Withdrawal),
            transfers=objects(ChainTransfer),
            sub_transfers=objects(WalletSubAccountTransfer),
            outbox_failed=list(
                conn.execute(
                    select(OutboxItem.__table__).where(OutboxItem.status == "failed")
                ).all()
            ),
            negative=[
                (o, a, w, int(b))
                for o, a, w, b in conn.execute(
                    select(Account.owner, Account.asset, Account.wallet, Account.balance).where(
                        Account.kind != "external", Account.balance < 0
                    )
                ).all()
            ],
            internal={
                asset: int(total)
                for asset, total in conn.execute(
                    select(Account.asset, func.sum(Account.balance))
                    .where(Account.kind != "external")
                    .group_by(Account.asset)
                ).all()
            },
            minted=dict(minted),
            once_per_ref=[
                (k, str(r), int(n)) for k, r, n in counted if k in ONCE_PER_REF and int(n) > 1
            ],
            entries_by_ref={(k, r): int(n) for k, r, n in counted if r is not None},
            treasury_mints={asset: int(n) for asset, n in treasury},
        )


def units(amount: Decimal) -> int:
    return money.to_units(amount)


def fmt(amount: int) -> str:
    return format(money.from_units(amount).normalize(), "f")


# --- the invariants ---------------------------------------------------------------------------


def processes(f: Facts) -> Iterable[str]:
    yield from f.process_problems


def ledger_audit(f: Facts) -> Iterable[str]:
    if not f.audit.get("ok"):
        problems = {k: v for k, v in f.audit.items() if isinstance(v, list) and v}
        yield f"GET /sandbox/v1/ledger/audit is not ok: {problems or f.audit}"


def no_negative_balance(f: Facts) -> Iterable[str]:
    for owner, asset, wallet, balance in f.negative:
        yield f"{owner} {asset} {wallet} is {fmt(balance)}"


def totals_conserved(f: Facts) -> Iterable[str]:
    """Per asset, the platform's total changes only by mint/burn entries, and each of those
    by exactly what the business records say moved across the boundary."""
    expected: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for asset in [*CRYPTOS, *FIATS]:
        expected["treasury_mint"][asset] = TREASURY_UNITS
    for asset, amount in f.world.faucet.items():
        expected["faucet"][asset] = units(amount)
    for o in f.prime:
        if o.status == "FILLED":
            side = "fiat_in" if o.direction == "BUY" else "fiat_out"
            sign = 1 if o.direction == "BUY" else -1
            expected[side][o.fiat_currency] += sign * o.fiat_amount
    for w in f.withdrawals:
        if w.status not in WITHDRAWAL_RETURNED:
            expected["withdrawal"][w.asset] -= w.amount
    for t in f.transfers:
        if t.status == "CREDITED":
            expected["chain_deposit"][t.asset] += t.amount
    for kind in sorted(set(f.minted) - set(MINT_BURN)):
        yield f"entries of kind {kind} moved value across the boundary: {f.minted[kind]}"
    for kind in MINT_BURN:
        got = {a: v for a, v in f.minted.get(kind, {}).items() if v}
        want = {a: v for a, v in expected[kind].items() if v}
        if got != want:
            show = {a: (fmt(got.get(a, 0)), fmt(want.get(a, 0))) for a in set(got) | set(want)}
            yield f"{kind} entries moved (ledger, records) {show}"
    for asset, n in sorted(f.treasury_mints.items()):
        if n != 1:
            yield f"the platform's {asset} liquidity was minted {n} times"
    for asset in sorted(set(f.internal) | {a for k in f.minted.values() for a in k}):
        across = sum(k.get(asset, 0) for k in f.minted.values())
        if f.internal.get(asset, 0) != across:
            yield (
                f"{asset}: accounts hold {fmt(f.internal.get(asset, 0))} but mint/burn "
                f"entries account for {fmt(across)}"
            )


def _duplicates(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [pair for pair, n in Counter(pairs).items() if n > 1]


def one_order_per_key(f: Facts) -> Iterable[str]:
    for label, pairs in (
        ("clientOrderId", ((str(o.partner_id), o.client_order_id) for o in f.prime)),
        ("merchantTradeNo", ((o.merchant_id, o.merchant_trade_no) for o in f.pay_orders)),
        ("refundRequestId", ((r.merchant_id, r.refund_request_id) for r in f.refunds)),
        ("payout requestId", ((p.merchant_id, p.request_id) for p in f.payouts)),
        ("withdrawal (tagged amount)", (("", str(w.amount)) for w in f.withdrawals)),
        ("sub-account transfer (tagged amount)", (("", str(t.amount)) for t in f.sub_transfers)),
    ):
        for owner, key in _duplicates(pairs):
            yield f"two records for {label} {key} (owner {owner})"
    for kind, ref, n in f.once_per_ref:
        yield f"{n} {kind} entries for {ref} (at most one may exist)"
    for w in f.withdrawals:
        n = f.entries_by_ref.get(("withdrawal", w.id), 0)
        if n != (2 if w.status in WITHDRAWAL_RETURNED else 1):
            yield f"withdrawal {w.id} (status {w.status}) has {n} withdrawal entries"


def _match(
    ops: list[Op], found: dict[str, list[str]], what: str, by: Callable[[Op], str | None]
) -> Iterable[str]:
    """Jepsen's rule: acknowledged → exactly that one exists; refused → none; unknown → at
    most one; and nothing exists that no client asked for."""
    asked = set()
    for op in ops:
        key = by(op)
        if key is None:
            continue
        asked.add(key)
        records = found.get(key, [])
        if len(records) > 1:
            yield f"op {op.id} ({op.kind}): {len(records)} {what} for {key}"
        elif op.outcome == "ok" and records != [op.ref]:
            yield f"op {op.id} ({op.kind}) was acknowledged as {op.ref} but {what} {key} is {records or 'missing'}"
        elif op.outcome == "failed" and records:
            yield f"op {op.id} ({op.kind}) was refused ({op.note}) but {what} {key} exists: {records}"
    for key in sorted(set(found) - asked):
        yield f"{what} {key} exists but no client asked for it"


def acknowledged_exist(f: Facts) -> Iterable[str]:
    by_kind: dict[str, list[Op]] = defaultdict(list)
    for op in f.history.ops:
        by_kind[op.kind].append(op)
    if any(op.outcome == "pending" for op in f.history.ops):
        yield "some operations never finished"
    partner_orders: dict[str, list[str]] = defaultdict(list)
    for o in f.prime:
        partner_orders[o.client_order_id].append(o.order_id)
    trades = by_kind["prime_buy"] + by_kind["prime_sell"]
    yield from _match(trades, partner_orders, "Connect Prime order", lambda op: op.key)
    pay: dict[str, list[str]] = defaultdict(list)
    for p in f.pay_orders:
        pay[p.merchant_trade_no].append(p.prepay_id)
    yield from _match(by_kind["pay_order"], pay, "Pay order", lambda op: op.key)
    refunds: dict[str, list[str]] = defaultdict(list)
    for r in f.refunds:
        refunds[r.refund_request_id].append(r.prepay_id)
    yield from _match(by_kind["pay_refund"], refunds, "Pay refund", lambda op: op.key)
    payouts: dict[str, list[str]] = defaultdict(list)
    for p in f.payouts:
        payouts[p.request_id].append(p.request_id)
    yield from _match(by_kind["pay_payout"], payouts, "Pay payout", lambda op: op.key)
    withdrawals: dict[str, list[str]] = defaultdict(list)
    for w in f.withdrawals:
        withdrawals[str(w.amount)].append(w.id)
    yield from _match(by_kind["withdraw"], withdrawals, "withdrawal of", lambda op: _tag(op))
    subs: dict[str, list[str]] = defaultdict(list)
    for t in f.sub_transfers:
        subs[str(t.amount)].append(t.txn_id)
    yield from _match(by_kind["sub_transfer"], subs, "sub-account transfer of", lambda op: _tag(op))
    orders = {o.prepay_id: o for o in f.pay_orders}
    for op in by_kind["pay_payment"]:
        order = orders.get(op.key or "")
        paid = order is not None and order.status in PAID_STATES
        payer = order.payer_user_id if order is not None else None
        if op.outcome == "ok" and not (paid and payer == op.detail["payer"]):
            yield f"op {op.id}: payment of {op.key} was acknowledged but the order is {order and order.status} (payer {payer})"
        if op.outcome == "failed" and paid:
            yield f"op {op.id}: payment of {op.key} was refused ({op.note}) but the order is paid"
    for op in by_kind["pay_close"]:
        order = orders.get(op.key or "")
        if op.outcome == "ok" and (order is None or order.status != "CANCELED"):
            yield f"op {op.id}: close of {op.key} was acknowledged but the order is {order and order.status}"


def _tag(op: Op) -> str | None:
    return str(units(op.tag)) if op.tag is not None else None


def everything_final(f: Facts) -> Iterable[str]:
    if f.outbox_pending:
        yield f"{f.outbox_pending} outbox items still pending after the drain"
    for item in f.outbox_failed:
        yield f"outbox item {item.id} ({item.kind} {item.ref}) gave up: {item.last_error}"
    for o in f.prime:
        if o.status not in ("FILLED", "FAILED"):
            yield f"Connect Prime order {o.order_id} is still {o.status}"
    for p in f.pay_orders:
        if p.status in ("INITIAL", "PENDING", "REFUNDING"):
            yield f"Pay order {p.prepay_id} is still {p.status}"
    for r in f.refunds:
        if r.status != "REFUND_SUCCESS":
            yield f"Pay refund {r.refund_request_id} is {r.status}"
    for p in f.payouts:
        if p.status not in ("SUCCESS", "FAILED", "PART_SUCCESS"):
            yield f"Pay payout {p.request_id} is still {p.status}"
    for d in f.payout_details:
        if d.status not in ("SUCCESS", "FAIL"):
            yield f"payout line {d.detail_id} is still {d.status}"
    lines = Counter(d.payout_id for d in f.payout_details)
    for p in f.payouts:
        settled = f.entries_by_ref.get(("pay_payout", p.payout_id), 0) + f.entries_by_ref.get(
            ("pay_payout_return", p.payout_id), 0
        )
        if settled != lines[p.payout_id]:
            yield f"payout {p.request_id} has {lines[p.payout_id]} lines but {settled} settlements"
    arrived = {t.tx_hash: t for t in f.transfers}
    owners = {address: user for user, address in f.world.deposit_addresses.items()}
    for w in f.withdrawals:
        if w.status != 6:
            yield f"withdrawal {w.id} ended with status {w.status}, not 6 (completed)"
            continue
        receiver = owners.get(w.address)
        t = arrived.get(w.tx_id or "")
        if receiver is not None and (t is None or t.status != "CREDITED" or t.user_id != receiver):
            yield f"withdrawal {w.id} to {receiver}'s address did not arrive: {t and t.status}"


def webhooks_delivered(f: Facts) -> Iterable[str]:
    got = f.got
    for o in f.prime:
        if o.status in ("FILLED", "FAILED") and not got.prime[(o.order_id, o.status)]:
            yield f"no prime_order_event {o.status} acknowledged for order {o.order_id}"
    for o in f.prime:
        said = got.prime_amounts.get(o.order_id, set())
        if said - {(money.from_units(o.fiat_amount), money.from_units(o.crypto_amount))}:
            yield f"prime_order_event for {o.order_id} gave amounts {said}, not the order's"
    for p in f.pay_orders:
        said_fee = got.pay_amounts.get(p.prepay_id, set())
        if said_fee - {money.from_units(p.order_amount)}:
            yield f"PAY webhook for {p.prepay_id} gave totalFee {said_fee}, not the order's"
    final = {o.order_id: o.status for o in f.prime}
    for (order_id, status), _n in got.prime.items():
        if final.get(order_id) != status:
            yield f"prime_order_event {status} for {order_id}, which is {final.get(order_id)}"
    for p in f.pay_orders:
        wanted = "PAY_SUCCESS" if p.status in PAID_STATES else "PAY_CLOSED"
        if not got.pay[("PAY", p.prepay_id, wanted)]:
            yield f"no PAY {wanted} webhook acknowledged for Pay order {p.prepay_id} ({p.status})"
        other = "PAY_CLOSED" if wanted == "PAY_SUCCESS" else "PAY_SUCCESS"
        if got.pay[("PAY", p.prepay_id, other)]:
            yield f"a PAY {other} webhook came for Pay order {p.prepay_id}, which is {p.status}"
    for r in f.refunds:
        if (
            r.status == "REFUND_SUCCESS"
            and not got.pay_refunds[(r.refund_request_id, "REFUND_SUCCESS")]
        ):
            yield f"no PAY_REFUND REFUND_SUCCESS webhook acknowledged for {r.refund_request_id}"
    for p in f.payouts:
        if not got.pay[("PAYOUT", p.payout_id, p.status)]:
            yield f"no PAYOUT {p.status} webhook acknowledged for payout {p.request_id}"


def deliveries_signed(f: Facts) -> Iterable[str]:
    yield from f.got.invalid


def merchant_side(f: Facts) -> Iterable[str]:
    """The partner's bank said what happened to the fiat; the orders agree, and every sell's
    transfer and every late buy's refund reached the partner's merchant API."""
    for o in f.prime:
        if o.direction == "BUY":
            final, _ = check_answer(f.world.seed, o.client_order_id)
            outcome = (o.status, o.fail_reason)
            # The check deadline may pass while the worker is down: without a final answer
            # seen (a PENDING, or no answer), FIAT_NOT_RECEIVED is right whatever comes later.
            unanswered = outcome == ("FAILED", "FIAT_NOT_RECEIVED") and o.check_status not in (
                "COMPLETED",
                "FAILED",
            )
            if final == "FAILED":
                ok = outcome == ("FAILED", "FIAT_TRANSFER_FAILED") or unanswered
            else:
                ok = (
                    (o.status == "FILLED" and o.check_status == "COMPLETED")
                    or outcome == ("FAILED", "QUOTE_EXPIRED_AFTER_FIAT")
                    or unanswered
                )
            if not ok:
                yield (
                    f"buy {o.order_id}: the bank said {final}, the order is {o.status} "
                    f"{o.fail_reason} (last check answer {o.check_status})"
                )
            late = o.fail_reason == "QUOTE_EXPIRED_AFTER_FIAT"
            if late and (o.refund_status != "SUCCESS" or f"R-{o.order_id}" not in f.got.refunds):
                yield f"buy {o.order_id} failed after the fiat arrived but was not refunded ({o.refund_status})"
        elif o.status == "FILLED" and (
            o.transfer_status != "SUCCESS" or f"T-{o.order_id}" not in f.got.transfers
        ):
            yield f"sell {o.order_id} filled but its fiat transfer is {o.transfer_status}"
    refunded = {f"R-{o.order_id}" for o in f.prime if o.fail_reason == "QUOTE_EXPIRED_AFTER_FIAT"}
    for refund_id in sorted(set(f.got.refunds) - refunded):
        yield f"the merchant API was asked for refund {refund_id} of an order that needs none"
    transferred = {
        f"T-{o.order_id}" for o in f.prime if o.direction == "SELL" and o.status == "FILLED"
    }
    for transfer_id in sorted(set(f.got.transfers) - transferred):
        yield f"the merchant API was asked for transfer {transfer_id} of an order that needs none"


def client_anomalies(f: Facts) -> Iterable[str]:
    yield from f.history.anomalies


INVARIANTS: list[tuple[str, Callable[[Facts], Iterable[str]]]] = [
    ("processes start again after every kill", processes),
    ("the ledger audit is clean", ledger_audit),
    ("no balance is negative", no_negative_balance),
    ("per-asset totals are conserved", totals_conserved),
    ("no order twice for one business key", one_order_per_key),
    ("acknowledged operations exist, refused ones do not", acknowledged_exist),
    ("everything reached a final state", everything_final),
    ("every terminal order's webhook was delivered", webhooks_delivered),
    ("every delivery was signed correctly", deliveries_signed),
    ("the partner's merchant-side steps happened", merchant_side),
    ("no answer contradicted the platform's own records", client_anomalies),
]


def check(f: Facts) -> list[Violation]:
    return [Violation(name, detail) for name, rule in INVARIANTS for detail in rule(f)]
