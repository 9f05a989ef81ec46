"""SHA256withRSA (RSASSA-PKCS1-v1_5 over SHA-256), as Connect and Pay webhooks use it.

Keys travel the way the Connect guide's onboarding table has them: a public key as Base64 of
its X.509 SubjectPublicKeyInfo DER, a private key as Base64 PKCS#8 DER (the guide's Java
example) — PEM is accepted too.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class RsaKeyError(ValueError):
    """A key could not be read, or is not an RSA key."""


def _key_bytes(text: str | bytes) -> tuple[bytes, bool]:
    """Return the key's bytes and whether they are PEM."""
    raw = text.encode() if isinstance(text, str) else text
    stripped = raw.strip()
    if stripped.startswith(b"-----BEGIN"):
        return stripped, True
    try:
        return base64.b64decode(b"".join(stripped.split()), validate=True), False
    except (binascii.Error, ValueError) as exc:
        raise RsaKeyError("key is neither PEM nor Base64 DER") from exc


def load_public_key(text: str | bytes) -> rsa.RSAPublicKey:
    data, is_pem = _key_bytes(text)
    try:
        key = (
            serialization.load_pem_public_key(data)
            if is_pem
            else serialization.load_der_public_key(data)
        )
    except (ValueError, TypeError) as exc:
        raise RsaKeyError("not an X.509 public key") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise RsaKeyError("not an RSA public key")
    if key.key_size < 1024:
        raise RsaKeyError("RSA keys must have at least 1024 bits")
    return key


def load_private_key(text: str | bytes) -> rsa.RSAPrivateKey:
    data, is_pem = _key_bytes(text)
    try:
        key = (
            serialization.load_pem_private_key(data, password=None)
            if is_pem
            else serialization.load_der_private_key(data, password=None)
        )
    except (ValueError, TypeError) as exc:
        raise RsaKeyError("not a PKCS#8 private key") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise RsaKeyError("not an RSA private key")
    return key


def generate_private_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_key_to_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_key_to_pem(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def public_key_to_der_b64(key: rsa.RSAPublicKey) -> str:
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def rsa_sign(key: rsa.RSAPrivateKey, payload: bytes) -> str:
    """Base64 SHA256withRSA signature of `payload`."""
    return base64.b64encode(key.sign(payload, padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_verify(key: rsa.RSAPublicKey, payload: bytes, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        key.verify(signature, payload, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True
