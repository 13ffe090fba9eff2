"""Seal the data directory's secrets (toolkit keys, secret key) with the operator's passphrase.

scrypt turns the passphrase into a 256-bit key (memory-hard, so guessing is
slow even with the archive in hand); AES-256-GCM encrypts and authenticates, so
a wrong passphrase or a changed byte is refused as one clear error.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

PASSPHRASE_VARIABLE = "HEARTH_BACKUP_PASSPHRASE"  # noqa: S105 - a variable name
MINIMUM_PASSPHRASE_LENGTH = 12
_SCRYPT_COST = 2**15
_SCRYPT_BLOCK_SIZE = 8
_SCRYPT_PARALLELISM = 1
_ASSOCIATED_DATA = b"hearth-backup-secrets-v1"


class PassphraseError(Exception):
    """No usable passphrase, or one that does not open the sealed secrets."""


def read_passphrase(passphrase_file: str | None) -> str | None:
    """The passphrase from ``--passphrase-file`` or HEARTH_BACKUP_PASSPHRASE, else None."""
    if passphrase_file:
        try:
            text = Path(passphrase_file).read_text(encoding="utf-8")
        except OSError as error:
            raise PassphraseError(f"Cannot read the passphrase file: {error}") from error
        passphrase = text.rstrip("\r\n")
    else:
        passphrase = os.environ.get(PASSPHRASE_VARIABLE, "")
        if not passphrase:
            return None
    if len(passphrase) < MINIMUM_PASSPHRASE_LENGTH:
        raise PassphraseError(
            f"The passphrase is shorter than {MINIMUM_PASSPHRASE_LENGTH} characters; "
            "it is all that protects the keys to members' private text."
        )
    return passphrase


def _derive(passphrase: str, salt: bytes) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=_SCRYPT_COST, r=_SCRYPT_BLOCK_SIZE, p=_SCRYPT_PARALLELISM)
    return kdf.derive(passphrase.encode("utf-8"))


def seal(secrets: dict[str, str], passphrase: str) -> bytes:
    """Encrypt ``secrets`` (name -> text) with ``passphrase``."""
    salt, nonce = os.urandom(16), os.urandom(12)
    plaintext = json.dumps(secrets).encode("utf-8")
    ciphertext = AESGCM(_derive(passphrase, salt)).encrypt(nonce, plaintext, _ASSOCIATED_DATA)
    sealed = {
        "kdf": "scrypt",
        "n": _SCRYPT_COST,
        "r": _SCRYPT_BLOCK_SIZE,
        "p": _SCRYPT_PARALLELISM,
        "salt": base64.b64encode(salt).decode("ascii"),
        "nonce": base64.b64encode(nonce).decode("ascii"),
        "ciphertext": base64.b64encode(ciphertext).decode("ascii"),
    }
    return json.dumps(sealed, indent=1).encode("utf-8")


def unseal(data: bytes, passphrase: str) -> dict[str, str]:
    """Decrypt what ``seal`` wrote; raise PassphraseError for a wrong passphrase."""
    try:
        sealed = json.loads(data)
        salt = base64.b64decode(sealed["salt"])
        kdf = Scrypt(salt=salt, length=32, n=sealed["n"], r=sealed["r"], p=sealed["p"])
        key = kdf.derive(passphrase.encode("utf-8"))
        plaintext = AESGCM(key).decrypt(
            base64.b64decode(sealed["nonce"]),
            base64.b64decode(sealed["ciphertext"]),
            _ASSOCIATED_DATA,
        )
    except InvalidTag as error:
        raise PassphraseError(
            "The passphrase does not open the keys in this backup (wrong passphrase)."
        ) from error
    except (ValueError, KeyError, TypeError) as error:
        raise PassphraseError("The sealed keys in this backup are unreadable.") from error
    secrets: dict[str, str] = json.loads(plaintext)
    return secrets
