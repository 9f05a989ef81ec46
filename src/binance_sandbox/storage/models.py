"""Tables. Amounts are integers in units of 1e-8 (`binance_sandbox.ledger.money`), never
floats; business keys are unique by constraint, so a race can never create an order twice."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Meta(Base):
    """Small key/value facts about this database: the clock, the boot counter."""

    __tablename__ = "sandbox_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Partner(Base):
    __tablename__ = "partners"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sign_access_token: Mapped[str] = mapped_column(String(128))
    rsa_public_key: Mapped[str] = mapped_column(Text)  # Base64 X.509 DER
    ip_whitelist: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    webhook_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    merchant_api_base_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    merchant_api_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    custom_spread_min: Mapped[str] = mapped_column(String(32), default="0")
    custom_spread_max: Mapped[str] = mapped_column(String(32), default="0.05")
    webhook_private_key: Mapped[str] = mapped_column(Text)  # PEM PKCS#8
    webhook_public_key: Mapped[str] = mapped_column(Text)  # Base64 X.509 DER
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # When the current signAccessToken was issued by a rotation (NULL: with the partner).
    credentials_issued_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The test clock this tenant lives on (NULL: the global clock; docs/testing.md).
    test_clock_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)


class User(Base):
    """An end user: the Binance sub-account a partner gets after Binance Link KYC."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(32), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), nullable=True)
    # The Binance Pay ID a payout can be addressed to (receiveType PAY_ID).
    pay_id: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # The test clock this tenant lives on (NULL: the global clock; docs/testing.md).
    test_clock_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)


class Account(Base):
    """One balance: an owner's holding of one asset in one wallet.

    `kind` is `user`, `system` (the platform's own: liquidity, partner revenue) or
    `external` (the world outside the platform: faucet, chains, fiat rails). Only
    external accounts may go negative; the database refuses anything else.
    """

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("owner", "asset", "wallet", name="owner_asset_wallet"),
        CheckConstraint("balance >= 0 OR kind = 'external'", name="balance_not_negative"),
        CheckConstraint("kind IN ('user', 'system', 'external')", name="kind_known"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(128))  # "user:<userId>", "platform", …
    kind: Mapped[str] = mapped_column(String(16))
    asset: Mapped[str] = mapped_column(String(16))
    wallet: Mapped[str] = mapped_column(String(16), default="SPOT")
    balance: Mapped[int] = mapped_column(BigInteger, default=0)


class JournalEntry(Base):
    __tablename__ = "journal_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    ref_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ref_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    memo: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_journal_ref", "ref_type", "ref_id"),)


class Posting(Base):
    __tablename__ = "postings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    asset: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (CheckConstraint("amount <> 0", name="amount_not_zero"),)


class Quote(Base):
    __tablename__ = "prime_quotes"
    quote_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(4))
    fiat_currency: Mapped[str] = mapped_column(String(8))
    crypto_currency: Mapped[str] = mapped_column(String(16))
    amount_type: Mapped[int] = mapped_column(Integer)
    fiat_amount: Mapped[int] = mapped_column(BigInteger)
    crypto_amount: Mapped[int] = mapped_column(BigInteger)
    spread_amount: Mapped[int] = mapped_column(BigInteger)
    quote_price: Mapped[str] = mapped_column(String(40))
    mid_price: Mapped[str] = mapped_column(String(40))
    custom_spread: Mapped[str] = mapped_column(String(32))
    expired_at: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)


class PrimeOrder(Base):
    __tablename__ = "prime_orders"
    __table_args__ = (
        UniqueConstraint("partner_id", "client_order_id", name="partner_client_order"),
        UniqueConstraint("quote_id", name="one_order_per_quote"),
        Index("ix_prime_orders_partner_created", "partner_id", "create_time"),
        CheckConstraint("status IN ('PROCESSING', 'FILLED', 'FAILED')", name="status_known"),
    )
    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    client_order_id: Mapped[str] = mapped_column(String(50))
    quote_id: Mapped[str] = mapped_column(ForeignKey("prime_quotes.quote_id"))
    user_id: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(4))
    fiat_currency: Mapped[str] = mapped_column(String(8))
    crypto_currency: Mapped[str] = mapped_column(String(16))
    fiat_amount: Mapped[int] = mapped_column(BigInteger)
    crypto_amount: Mapped[int] = mapped_column(BigInteger)
    spread_amount: Mapped[int] = mapped_column(BigInteger)
    mid_price: Mapped[str] = mapped_column(String(40))
    price: Mapped[str] = mapped_column(String(40))
    quote_expired_at: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    create_time: Mapped[int] = mapped_column(BigInteger)
    settle_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    fail_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Merchant-side steps (guide §9): the last answer seen from each.
    check_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    transaction_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    refund_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    refund_reference: Mapped[str | None] = mapped_column(String(128), nullable=True)
    transfer_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    transfer_reference: Mapped[str | None] = mapped_column(String(128), nullable=True)


class OrderEvent(Base):
    """The timeline of an order of any family: state changes, callbacks, webhooks."""

    __tablename__ = "order_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    family: Mapped[str] = mapped_column(String(16))
    order_ref: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="{}")


class OutboxItem(Base):
    """A side effect that leaves the process, written in the same transaction as the state
    change that caused it, and carried out by the delivery worker (at least once)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "due_at"),
        Index("ix_outbox_clock_due", "clock_id", "status", "due_at"),
        UniqueConstraint("dedupe_key", name="dedupe_key"),
        CheckConstraint("status IN ('pending', 'done', 'failed')", name="status_known"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(48))  # "webhook" or a job name
    family: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)  # partner client id…
    ref: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    payload: Mapped[str] = mapped_column(Text)  # JSON: job args, or the webhook request
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[int] = mapped_column(BigInteger)  # sandbox clock
    lease_until: Mapped[int] = mapped_column(BigInteger, default=0)  # wall clock
    created_at: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The test clock `due_at` is on (NULL: the global clock).
    clock_id: Mapped[str | None] = mapped_column(String(40), nullable=True)


class TestClock(Base):
    """A test clock: frozen, moved only by an advance; its tenants and their outbox items
    read it instead of the global clock (docs/testing.md)."""

    __tablename__ = "test_clocks"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    now_ms: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[int] = mapped_column(BigInteger)


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[int] = mapped_column(BigInteger)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    request_headers: Mapped[str | None] = mapped_column(Text, nullable=True)
    request_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(16))  # success, retry, gave_up


class RequestLog(Base):
    __tablename__ = "request_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[int] = mapped_column(BigInteger, index=True)
    family: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(Text)
    caller: Mapped[str | None] = mapped_column(String(128), nullable=True)
    client_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    http_status: Mapped[int] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    latency_ms: Mapped[int] = mapped_column(Integer)
    explanation: Mapped[str | None] = mapped_column(Text, nullable=True)


class DepositAddress(Base):
    """A user's deposit address on one network: stable, made on first ask."""

    __tablename__ = "chain_deposit_addresses"
    __table_args__ = (
        UniqueConstraint("user_id", "network", name="user_network"),
        UniqueConstraint("network", "address", "tag", name="network_address_tag"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    network: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(128))
    tag: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[int] = mapped_column(BigInteger)


class ChainTransfer(Base):
    """A transfer seen on the simulated chain, to a sandbox deposit address or not."""

    __tablename__ = "chain_transfers"
    __table_args__ = (
        CheckConstraint(
            "status IN ('PENDING', 'CREDITED', 'DUST', 'UNCLAIMED')", name="status_known"
        ),
        Index("ix_chain_transfers_user_time", "user_id", "created_at"),
    )
    tx_hash: Mapped[str] = mapped_column(String(128), primary_key=True)
    network: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(128))
    tag: Mapped[str] = mapped_column(String(32), default="")
    asset: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    confirmations_needed: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(BigInteger)
    confirm_at: Mapped[int] = mapped_column(BigInteger)
    credited_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    source: Mapped[str] = mapped_column(String(32), default="control")


class Withdrawal(Base):
    __tablename__ = "chain_withdrawals"
    __table_args__ = (
        CheckConstraint("status BETWEEN 0 AND 6", name="status_known"),
        Index("ix_chain_withdrawals_user_time", "user_id", "apply_time"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32))
    asset: Mapped[str] = mapped_column(String(16))
    network: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(128))
    tag: Mapped[str] = mapped_column(String(32), default="")
    amount: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    status: Mapped[int] = mapped_column(Integer)
    apply_time: Mapped[int] = mapped_column(BigInteger)
    tx_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    completed_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class Merchant(Base):
    """A Binance Pay merchant. Its own Binance account is the user whose userId is the
    merchantId: its Pay wallet is that user's FUNDING wallet, its main wallet SPOT."""

    __tablename__ = "pay_merchants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    api_key: Mapped[str] = mapped_column(String(128), unique=True)
    api_secret: Mapped[str] = mapped_column(String(128))
    webhook_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    ip_whitelist: Mapped[str] = mapped_column(Text, default="[]")
    direct_debit_whitelisted: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # When the current apiKey and apiSecret were issued by a rotation (NULL: with the merchant).
    credentials_issued_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The test clock this tenant lives on (NULL: the global clock; docs/testing.md).
    test_clock_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)


class SubMerchant(Base):
    __tablename__ = "pay_sub_merchants"
    __table_args__ = (UniqueConstraint("merchant_id", "merchant_name", name="sub_merchant_name"),)
    sub_merchant_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(32), index=True)
    merchant_name: Mapped[str] = mapped_column(String(128))
    merchant_type: Mapped[int] = mapped_column(Integer)
    merchant_mcc: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(256))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class PayOrder(Base):
    __tablename__ = "pay_orders"
    __table_args__ = (
        UniqueConstraint("merchant_id", "merchant_trade_no", name="merchant_trade_no"),
        CheckConstraint(
            "status IN ('INITIAL', 'PENDING', 'PAID', 'CANCELED', 'ERROR', 'REFUNDING', "
            "'REFUNDED', 'FULL_REFUNDED', 'EXPIRED')",
            name="status_known",
        ),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= order_amount", name="refund_bounded"
        ),
    )
    prepay_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(32), index=True)
    sub_merchant_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    merchant_trade_no: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(4))
    terminal_type: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(16))
    order_amount: Mapped[int] = mapped_column(BigInteger)
    fiat_currency: Mapped[str | None] = mapped_column(String(8), nullable=True)
    fiat_amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    request: Mapped[str] = mapped_column(Text)  # the create request as received (JSON)
    webhook_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    return_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancel_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    pass_through_info: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    create_time: Mapped[int] = mapped_column(BigInteger)
    expire_time: Mapped[int] = mapped_column(BigInteger)
    transact_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    transaction_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payer_user_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    payer_wallet: Mapped[str | None] = mapped_column(String(16), nullable=True)
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_attempts: Mapped[int] = mapped_column(Integer, default=0)


class PayRefund(Base):
    __tablename__ = "pay_refunds"
    __table_args__ = (
        UniqueConstraint("merchant_id", "refund_request_id", name="refund_request_id"),
        CheckConstraint(
            "status IN ('REFUND_PENDING', 'REFUND_SUCCESS', 'REFUND_FAIL')", name="status_known"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    refund_request_id: Mapped[str] = mapped_column(String(64))
    merchant_id: Mapped[str] = mapped_column(String(32))
    prepay_id: Mapped[str] = mapped_column(ForeignKey("pay_orders.prepay_id"), index=True)
    refund_amount: Mapped[int] = mapped_column(BigInteger)
    refunded_before: Mapped[int] = mapped_column(BigInteger)
    attempt: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    webhook_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class PayPayout(Base):
    __tablename__ = "pay_payouts"
    __table_args__ = (
        UniqueConstraint("merchant_id", "request_id", name="payout_request_id"),
        CheckConstraint(
            "status IN ('ACCEPTED', 'PROCESSING', 'SUCCESS', 'PART_SUCCESS', 'FAILED', 'CANCELED')",
            name="status_known",
        ),
    )
    payout_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(32))
    merchant_id: Mapped[str] = mapped_column(String(32), index=True)
    batch_name: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(16))
    total_amount: Mapped[int] = mapped_column(BigInteger)
    total_number: Mapped[int] = mapped_column(Integer)
    biz_scene: Mapped[str | None] = mapped_column(String(64), nullable=True)
    webhook_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class PayPayoutDetail(Base):
    __tablename__ = "pay_payout_details"
    __table_args__ = (
        UniqueConstraint("payout_id", "merchant_send_id", name="payout_send_id"),
        CheckConstraint(
            "status IN ('SUCCESS', 'FAIL', 'PROCESSING', 'AWAITING_RECEIPT', 'REFUNDED')",
            name="status_known",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    detail_id: Mapped[str] = mapped_column(String(32), unique=True)
    payout_id: Mapped[str] = mapped_column(ForeignKey("pay_payouts.payout_id"), index=True)
    merchant_send_id: Mapped[str] = mapped_column(String(32))
    receive_type: Mapped[str] = mapped_column(String(16))
    receiver: Mapped[str] = mapped_column(String(254))
    amount: Mapped[int] = mapped_column(BigInteger)
    transfer_method: Mapped[str] = mapped_column(String(16))
    remark: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    receiver_user_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    fail_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class PayWalletTransfer(Base):
    __tablename__ = "pay_wallet_transfers"
    __table_args__ = (
        UniqueConstraint("merchant_id", "request_id", name="wallet_transfer_request_id"),
    )
    tran_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64))
    merchant_id: Mapped[str] = mapped_column(String(32), index=True)
    currency: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    transfer_type: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(BigInteger)


class DepositSession(Base):
    """A Connect Deposit session (connect-deposit-flow.txt): a partner asks one of its users
    to disclose their deposit addresses. INIT → AUTHORIZED | REJECTED | EXPIRED, one-way;
    the partner's `externalOrderId` is unique per partner by constraint."""

    __tablename__ = "deposit_sessions"
    __table_args__ = (
        UniqueConstraint("partner_id", "external_order_id", name="partner_external_order"),
        Index("ix_deposit_sessions_partner_created", "partner_id", "create_time"),
        CheckConstraint(
            "status IN ('INIT', 'AUTHORIZED', 'REJECTED', 'EXPIRED')", name="status_known"
        ),
    )
    # The platform's id; the universal link carries it.
    session_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    external_order_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    crypto_currency: Mapped[str] = mapped_column(String(16))
    networks: Mapped[str] = mapped_column(Text)  # JSON list, in the order the partner asked
    redirect_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    create_time: Mapped[int] = mapped_column(BigInteger)
    link_expire_time: Mapped[int] = mapped_column(BigInteger)
    decide_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # JSON list of what AUTHORIZED disclosed, fixed then: webhook and polling show the same.
    deposit_addresses: Mapped[str | None] = mapped_column(Text, nullable=True)


class DepositReport(Base):
    """The partner's report of the on-chain transaction of a session (`deposit/report`). One
    per session by primary key: the first report wins, later ones are ignored."""

    __tablename__ = "deposit_reports"
    session_id: Mapped[str] = mapped_column(
        ForeignKey("deposit_sessions.session_id"), primary_key=True
    )
    tx_hash: Mapped[str] = mapped_column(String(128), index=True)
    amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    crypto_currency: Mapped[str | None] = mapped_column(String(16), nullable=True)
    network: Mapped[str | None] = mapped_column(String(16), nullable=True)
    report_time: Mapped[int] = mapped_column(BigInteger)


class WalletApiKey(Base):
    """A Wallet API (wapi/sapi) key of a sandbox user. `permissions` is a JSON list of the
    spec's security types the key may call (TRADE, USER_DATA, USER_STREAM, MARKET_DATA)."""

    __tablename__ = "wallet_api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    api_key: Mapped[str] = mapped_column(String(128), unique=True)
    secret_key: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id"), index=True)
    permissions: Mapped[str] = mapped_column(Text)
    ip_whitelist: Mapped[str] = mapped_column(Text, default="[]")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class WalletSubAccount(Base):
    """A sub-account: a sandbox user owned by a master user (one master each)."""

    __tablename__ = "wallet_sub_accounts"
    __table_args__ = (
        CheckConstraint("status IN ('enabled', 'disabled')", name="status_known"),
        CheckConstraint("user_id <> master_user_id", name="not_own_master"),
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id"), primary_key=True)
    master_user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="enabled")
    activated: Mapped[bool] = mapped_column(Boolean, default=True)
    mobile: Mapped[str] = mapped_column(String(32), default="")
    g_auth: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class WalletSubAccountTransfer(Base):
    """A transfer between a master and its sub-accounts (ledger kind `sub_account_transfer`)."""

    __tablename__ = "wallet_sub_account_transfers"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_wallet_sub_transfers_from", "from_user_id", "created_at"),
        Index("ix_wallet_sub_transfers_to", "to_user_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    txn_id: Mapped[str] = mapped_column(String(20), unique=True)
    master_user_id: Mapped[str] = mapped_column(String(32), index=True)
    from_user_id: Mapped[str] = mapped_column(String(32))
    to_user_id: Mapped[str] = mapped_column(String(32))
    from_email: Mapped[str] = mapped_column(String(254))
    to_email: Mapped[str] = mapped_column(String(254))
    asset: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)


class WalletDustLog(Base):
    """One asset converted to BNB by one dust conversion (`tran_id` groups them)."""

    __tablename__ = "wallet_dust_log"
    __table_args__ = (
        UniqueConstraint("tran_id", "from_asset", name="tran_asset"),
        Index("ix_wallet_dust_log_user_time", "user_id", "operate_time"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tran_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[str] = mapped_column(String(32))
    from_asset: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    transferred_amount: Mapped[int] = mapped_column(BigInteger)
    service_charge: Mapped[int] = mapped_column(BigInteger)
    operate_time: Mapped[int] = mapped_column(BigInteger)


class WalletDividend(Base):
    """An asset dividend credited to a user (ledger kind `dividend`, a mint)."""

    __tablename__ = "wallet_dividends"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_wallet_dividends_user_time", "user_id", "div_time"),
    )
    tran_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[str] = mapped_column(String(32))
    asset: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    div_time: Mapped[int] = mapped_column(BigInteger)
    en_info: Mapped[str] = mapped_column(Text)


class WalletAccountStatus(Base):
    """What `accountStatus.html` and `apiTradingStatus.html` report for a user, when the
    control API set something other than the defaults (normal, not locked)."""

    __tablename__ = "wallet_account_status"
    user_id: Mapped[str] = mapped_column(ForeignKey("users.user_id"), primary_key=True)
    msg: Mapped[str] = mapped_column(Text, default="Normal")
    objs: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of strings
    api_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    planned_recover_time: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class FaultRuleRow(Base):
    """A fault rule (docs/faults.md), shared by every API process and worker of a database.
    `remaining` is the uses left (NULL: until deleted); `share_ppm` the share of requests it
    takes, in millionths (NULL: every one)."""

    __tablename__ = "fault_rules"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    family: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(Text)  # JSON object
    endpoint: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(Text)  # JSON object
    remaining: Mapped[int | None] = mapped_column(Integer, nullable=True)
    share_ppm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[int] = mapped_column(BigInteger)
    # The partner whose reset removes it (scope.partnerClientId, kept apart for the query).
    partner_client_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
