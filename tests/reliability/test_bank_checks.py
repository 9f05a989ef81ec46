"""The bank test's invariants catch what they are meant to: a small consistent state passes,
and each kind of damage is reported under its invariant."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import pytest
from bank_checks import TREASURY_UNITS, Facts, check, units
from bank_clients import Account, History, Op, World
from bank_receivers import Received, check_answer

from binance_sandbox.market import CRYPTOS, FIATS

SEED = 1
KEY = next(f"k{i}" for i in range(100) if check_answer(SEED, f"k{i}") == ("COMPLETED", 0))


def consistent() -> Facts:
    """One faucet credit, one filled buy, one Pay order paid: everything in order."""
    world = World(
        url="",
        seed=SEED,
        client_id="c",
        access_token="",
        private_key=cast(Any, None),
        users=[Account("1001", "u@x")],
        merchant_id="9",
        merchant_key="",
        merchant_secret="",
        master=Account("1002", "m@x"),
        subs=[],
        deposit_addresses={},
        external_addresses=[],
        faucet={"USDT": Decimal(100)},
    )
    history = History()
    history.ops = [
        Op(1, 0, "prime_buy", key=KEY, outcome="ok", ref="o1"),
        Op(2, 0, "pay_order", key="P1", outcome="ok", ref="p1"),
        Op(3, 0, "pay_payment", key="p1", outcome="ok", ref="p1", detail={"payer": "1001"}),
    ]
    got = Received()
    got.prime[("o1", "FILLED")] = 1
    got.prime_amounts["o1"] = {(Decimal(50), Decimal("0.001"))}
    got.pay_amounts["p1"] = {Decimal(25)}
    got.pay[("PAY", "p1", "PAY_SUCCESS")] = 1
    minted = {"treasury_mint": {a: TREASURY_UNITS for a in [*CRYPTOS, *FIATS]}}
    minted["faucet"] = {"USDT": units(Decimal(100))}
    minted["fiat_in"] = {"USD": units(Decimal(50))}
    internal = {a: TREASURY_UNITS for a in [*CRYPTOS, *FIATS]}
    internal["USDT"] += units(Decimal(100))
    internal["USD"] += units(Decimal(50))
    prime = SimpleNamespace(
        order_id="o1",
        partner_id=1,
        client_order_id=KEY,
        direction="BUY",
        fiat_currency="USD",
        fiat_amount=units(Decimal(50)),
        crypto_amount=units(Decimal("0.001")),
        status="FILLED",
        check_status="COMPLETED",
        fail_reason=None,
        refund_status=None,
        transfer_status=None,
    )
    pay = SimpleNamespace(
        prepay_id="p1",
        merchant_id="9",
        merchant_trade_no="P1",
        status="PAID",
        order_amount=units(Decimal(25)),
        payer_user_id="1001",
    )
    return Facts(
        world=world,
        history=history,
        got=got,
        audit={"ok": True},
        process_problems=[],
        outbox_pending=0,
        prime=[prime],
        pay_orders=[pay],
        refunds=[],
        payouts=[],
        payout_details=[],
        withdrawals=[],
        transfers=[],
        sub_transfers=[],
        outbox_failed=[],
        negative=[],
        internal=internal,
        minted=minted,
        once_per_ref=[],
        entries_by_ref={("fiat_in", "o1"): 1, ("prime_buy", "o1"): 1, ("pay_payment", "p1"): 1},
        treasury_mints=dict.fromkeys([*CRYPTOS, *FIATS], 1),
    )


def test_a_consistent_state_passes() -> None:
    assert check(consistent()) == []


def _negative(f: Facts) -> None:
    f.negative.append(("user:1001", "USDT", "SPOT", -1))


def _minted_twice(f: Facts) -> None:
    f.treasury_mints["BTC"] = 2


def _money_from_nowhere(f: Facts) -> None:
    f.internal["USDT"] += 1


def _fill_without_fiat(f: Facts) -> None:
    f.minted["fiat_in"] = {}
    f.internal["USD"] -= units(Decimal(50))


def _two_orders_one_key(f: Facts) -> None:
    f.prime.append(SimpleNamespace(**{**vars(f.prime[0]), "order_id": "o2", "status": "FAILED"}))


def _paid_twice(f: Facts) -> None:
    f.once_per_ref.append(("pay_payment", "p1", 2))


def _acknowledged_but_lost(f: Facts) -> None:
    f.history.ops.append(Op(4, 0, "pay_order", key="P2", outcome="ok", ref="p2"))


def _refused_but_done(f: Facts) -> None:
    f.history.ops[1].outcome = "failed"


def _phantom(f: Facts) -> None:
    f.history.ops.pop(1)


def _stuck(f: Facts) -> None:
    _fill_without_fiat(f)
    f.prime[0].status = "PROCESSING"
    f.got.prime.clear()


def _webhook_lost(f: Facts) -> None:
    f.got.pay.clear()


def _wrong_webhook(f: Facts) -> None:
    f.got.pay[("PAY", "p1", "PAY_CLOSED")] = 1


def _webhook_amount_wrong(f: Facts) -> None:
    f.got.prime_amounts["o1"].add((Decimal(51), Decimal("0.001")))


def _forged(f: Facts) -> None:
    f.got.invalid.append("prime_order_event: signature does not verify")


def _bank_ignored(f: Facts) -> None:
    f.prime[0].client_order_id = next(
        f"k{i}" for i in range(100) if check_answer(SEED, f"k{i}")[0] == "FAILED"
    )
    f.history.ops[0].key = f.prime[0].client_order_id


def _crash(f: Facts) -> None:
    f.process_problems.append("api exited by itself with code 1")


@pytest.mark.parametrize(
    ("damage", "invariant"),
    [
        (_crash, "processes start again after every kill"),
        (_negative, "no balance is negative"),
        (_minted_twice, "per-asset totals are conserved"),
        (_money_from_nowhere, "per-asset totals are conserved"),
        (_fill_without_fiat, "per-asset totals are conserved"),
        (_two_orders_one_key, "no order twice for one business key"),
        (_paid_twice, "no order twice for one business key"),
        (_acknowledged_but_lost, "acknowledged operations exist, refused ones do not"),
        (_refused_but_done, "acknowledged operations exist, refused ones do not"),
        (_phantom, "acknowledged operations exist, refused ones do not"),
        (_stuck, "everything reached a final state"),
        (_webhook_lost, "every terminal order's webhook was delivered"),
        (_wrong_webhook, "every terminal order's webhook was delivered"),
        (_webhook_amount_wrong, "every terminal order's webhook was delivered"),
        (_forged, "every delivery was signed correctly"),
        (_bank_ignored, "the partner's merchant-side steps happened"),
    ],
)
def test_each_kind_of_damage_is_reported(damage: Callable[[Facts], None], invariant: str) -> None:
    facts = consistent()
    damage(facts)
    found = check(facts)
    assert found, "the damage went unnoticed"
    assert found[0].invariant == invariant, found
