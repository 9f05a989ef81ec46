"""Signing primitives shared by the platform, the SDK and the merchant kit.

Pure functions over `cryptography`; nothing here knows about HTTP or the server.
"""

from binance_sandbox.signing.rsa import (
    RsaKeyError,
    generate_private_key,
    load_private_key,
    load_public_key,
    private_key_to_pem,
    public_key_to_der_b64,
    public_key_to_pem,
    rsa_sign,
    rsa_verify,
)

__all__ = [
    "RsaKeyError",
    "generate_private_key",
    "load_private_key",
    "load_public_key",
    "private_key_to_pem",
    "public_key_to_der_b64",
    "public_key_to_pem",
    "rsa_sign",
    "rsa_verify",
]
