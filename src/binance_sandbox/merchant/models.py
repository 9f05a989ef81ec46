"""The kit's tables. Business keys are unique by constraint; balances by CHECK."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(128)


class Base(DeclarativeBase):
    pass


class FiatAccount(Base):
    """One owner's balance in one fiat: `user:<userId>`, `binance` or `external`."""

    __tablename__ = "merchant_fiat_accounts"
    __table_args__ = (
        UniqueConstraint("owner", "currency", name="uq_merchant_fiat_account"),
        # Only `external` (the outside world deposits come from) may go below zero.
        CheckConstraint("balance >= 0 OR may_go_negative", name="ck_merchant_balance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(160))
    currency: Mapped[str] = mapped_column(String(16))
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    may_go_negative: Mapped[bool] = mapped_column(default=False)


class FiatEntry(Base):
    """One movement: `amount` leaves one account and arrives in another, so it balances."""

    __tablename__ = "merchant_fiat_entries"
    __table_args__ = (
        CheckConstraint("amount > 0", name="ck_merchant_entry_amount"),
        CheckConstraint("from_account_id <> to_account_id", name="ck_merchant_entry_accounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    from_account_id: Mapped[int] = mapped_column(ForeignKey("merchant_fiat_accounts.id"))
    to_account_id: Mapped[int] = mapped_column(ForeignKey("merchant_fiat_accounts.id"))
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(ID)
    created_at: Mapped[int] = mapped_column(BigInteger)


class FiatTransfer(Base):
    """The user's fiat moved to Binance's account before a buy is executed (guide §6 step 5)."""

    __tablename__ = "merchant_fiat_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[str] = mapped_column(ID, unique=True)
    client_order_id: Mapped[str] = mapped_column(ID, unique=True)
    user_id: Mapped[str] = mapped_column(ID)
    currency: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[str | None] = mapped_column(ID, default=None)
    check_polls: Mapped[int] = mapped_column(default=0)
    # True once Check Transaction has answered COMPLETED: from then on it always does.
    confirmed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class Refund(Base):
    """Fiat returned from Binance's account to the user (guide §9.2)."""

    __tablename__ = "merchant_refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[str] = mapped_column(ID, unique=True)
    refund_reference: Mapped[str] = mapped_column(ID, unique=True)
    order_id: Mapped[str] = mapped_column(ID)
    client_order_id: Mapped[str] = mapped_column(ID, index=True)
    user_id: Mapped[str] = mapped_column(ID)
    currency: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(16))
    fail_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class Transfer(Base):
    """A sell's fiat proceeds paid to the user (guide §9.3)."""

    __tablename__ = "merchant_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[str] = mapped_column(ID, unique=True)
    transfer_reference: Mapped[str] = mapped_column(ID, unique=True)
    order_id: Mapped[str] = mapped_column(ID)
    client_order_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    currency: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    fail_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class WebhookEvent(Base):
    """A webhook received, once per (type, order, status); repeats only bump `duplicates`."""

    __tablename__ = "merchant_webhook_events"
    __table_args__ = (
        UniqueConstraint("event_type", "order_ref", "status", name="uq_merchant_webhook_event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    # orderId for prime_order_event; externalOrderId (else orderId) for other types.
    order_ref: Mapped[str] = mapped_column(ID)
    status: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[int] = mapped_column(BigInteger)
    last_received_at: Mapped[int] = mapped_column(BigInteger)
    duplicates: Mapped[int] = mapped_column(default=0)
