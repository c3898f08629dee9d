"""VAPID keys: the server's identity towards browser push services."""
import base64
import json
from pathlib import Path

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


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_of(private: str) -> str:
    """The browser-side key that belongs to a private key (base64url raw scalar)."""
    scalar = int.from_bytes(_b64url_decode(private), "big")
    key = ec.derive_private_key(scalar, ec.SECP256R1())
    return _b64url(key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


def instance_key_pair(instance_path: Path) -> tuple[str, str]:
    """The embedded default's key pair, generated into ``instance/vapid.json`` on first run
    and kept, so devices stay subscribed across restarts."""
    path = instance_path / "vapid.json"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        private, public = new_key_pair()
        path.write_text(json.dumps({"private_key": private, "public_key": public}))
        path.chmod(0o600)
    stored = json.loads(path.read_text())
    return stored["private_key"], stored["public_key"]


def configured_key_pair(private: str | None, public: str | None, instance_path: Path,
                        development: bool) -> tuple[str | None, str | None]:
    """VAPID keys from the environment; in development, generated under instance/. Without
    keys in production, push is off (the API says so) rather than silently broken."""
    if not private and not public:
        return instance_key_pair(instance_path) if development else (None, None)
    if not private:
        raise RuntimeError("VAPID_PUBLIC_KEY is set without VAPID_PRIVATE_KEY")
    try:
        derived = public_key_of(private)
    except (ValueError, TypeError) as exc:
        raise RuntimeError("VAPID_PRIVATE_KEY is not a base64url P-256 private key "
                           "(make one with `fieldline vapid-keys`)") from exc
    if public and public != derived:
        raise RuntimeError("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY")
    return private, derived
