"""Signed calls of each family with a given credential, through the SDK: the error the
platform answered with, or None when the call was accepted."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.client import (
    ConnectError,
    ConnectPrimeClient,
    PayClient,
    PayError,
    WalletClient,
    WalletError,
)


def connect_call(
    url: str, client_id: str, token: str, key: rsa.RSAPrivateKey, user_id: str
) -> ConnectError | None:
    with ConnectPrimeClient(url, client_id, token, key, max_retries=0) as client:
        try:
            client.fiat_list(user_id)
        except ConnectError as exc:
            return exc
    return None


def pay_call(url: str, api_key: str, api_secret: str) -> PayError | None:
    with PayClient(url, api_key, api_secret, max_retries=0) as client:
        try:
            client.balance_v2("FUNDING_WALLET")
        except PayError as exc:
            return exc
    return None


def wallet_call(url: str, api_key: str, secret_key: str) -> WalletError | None:
    with WalletClient(url, api_key, secret_key, max_retries=0) as client:
        try:
            client.account_status()
        except WalletError as exc:
            return exc
    return None
