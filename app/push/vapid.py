"""VAPID keys: the server's identity towards browser push services."""
import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def new_key_pair() -> tuple[str, str]:
    """(private, public): base64url of the raw 32-byte scalar (what pywebpush takes) and
    of the uncompressed P-256 point (the browser's ``applicationServerKey``)."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(private), _b64url(public)
