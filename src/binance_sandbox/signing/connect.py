"""Connect (Prime and Deposit) signing: SHA256withRSA over `body + timestamp` (guide §4, §8)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.signing.rsa import rsa_sign, rsa_verify


def connect_payload(body: bytes, timestamp: str) -> bytes:
    """The bytes Connect signs: the raw body followed by the timestamp's digits."""
    return body + timestamp.encode()


def sign_connect(key: rsa.RSAPrivateKey, body: bytes, timestamp: str) -> str:
    return rsa_sign(key, connect_payload(body, timestamp))


def verify_connect(key: rsa.RSAPublicKey, body: bytes, timestamp: str, signature: str) -> bool:
    return rsa_verify(key, connect_payload(body, timestamp), signature)
