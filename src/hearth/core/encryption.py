"""Keys for private text encrypted at rest (the toolkit, conversations), kept outside
the database.

Everything a member types into the toolkit is stored as a Fernet token
(AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package). The keys
come from one of two places, never from the database:

* ``HEARTH_TOOLKIT_KEYS`` (settings, from the environment): comma-separated
  Fernet keys, the first one current. Use this when several hosts serve the
  site; each must have the same list.
* otherwise the key file ``$HEARTH_DATA_DIR/toolkit_keys``: one key a line,
  the first one current, created with mode 0600 by ``hearth init`` (or on
  first use) -- but only while the database holds no encrypted value. A key
  file missing beside encrypted rows is an error, never replaced by a new key:
  that key could not read them, and text written with it would be lost when
  the right file came back (``key_safety.py`` checks this at start-up).

Every key in the list can decrypt; only the first encrypts. Rotation adds a
new first key and re-encrypts every row (``hearth rotate_toolkit_key``), so
old rows stay readable throughout. Plaintext is never logged here.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

KEY_FILE_NAME = "toolkit_keys"
_KEY_FILE_HEADER = (
    "# Hearth toolkit encryption keys: the first line encrypts, every line decrypts.\n"
    "# Back this file up apart from the database. Losing it makes toolkits unreadable.\n"
)


class ToolkitKeyError(Exception):
    """The toolkit's keys are missing, malformed, or cannot read a stored value."""


@dataclass(frozen=True)
class _LoadedKeys:
    source: tuple[object, ...]
    keys: tuple[str, ...]
    cipher: MultiFernet


_lock = threading.Lock()
_loaded: _LoadedKeys | None = None


def key_file_path() -> Path:
    """Return where the key file lives when keys do not come from the environment."""
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def keys_come_from_environment() -> bool:
    return bool(_configured_keys())


def generate_key() -> str:
    """Return a new random Fernet key as text."""
    return Fernet.generate_key().decode("ascii")


def current_keys() -> tuple[str, ...]:
    """Return the keys in use, the current (encrypting) one first."""
    return _load().keys


def encrypt_text(plaintext: str) -> str:
    """Encrypt ``plaintext`` with the current key and return the token as text."""
    return _load().cipher.encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    """Decrypt a token written by ``encrypt_text`` with any known key.

    Raises ToolkitKeyError (without the token or any text in the message)
    when no key can read it, for example after the key file was lost.
    """
    try:
        return _load().cipher.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError) as error:
        raise ToolkitKeyError(
            "A stored toolkit value cannot be decrypted with the configured keys. "
            "Check HEARTH_TOOLKIT_KEYS or the toolkit_keys file in the data directory."
        ) from error


def validate_keys(keys: list[str] | tuple[str, ...]) -> list[str]:
    """Return a description of each malformed key (by position only, never the key)."""
    problems = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeError):
            problems.append(f"key {position} is not a valid Fernet key (32 url-safe base64 bytes)")
    return problems


def add_current_key_to_file() -> str:
    """Put a new key first in the key file (older keys stay, so old rows stay readable).

    Returns the new key. Raises ToolkitKeyError when keys come from the
    environment: the operator changes those.
    """
    if keys_come_from_environment():
        raise ToolkitKeyError(
            "Keys come from HEARTH_TOOLKIT_KEYS; put a new key first in that list instead."
        )
    new_key = generate_key()
    _write_key_file([new_key, *_read_or_create_key_file()])
    reset_cache()
    return new_key


def retire_old_keys_in_file() -> int:
    """Keep only the current key in the key file; return how many keys were removed.

    Only safe once every row has been re-encrypted with the current key.
    """
    if keys_come_from_environment():
        raise ToolkitKeyError("Keys come from HEARTH_TOOLKIT_KEYS; remove old keys there instead.")
    keys = _read_or_create_key_file()
    _write_key_file(keys[:1])
    reset_cache()
    return len(keys) - 1


def reset_cache() -> None:
    """Forget the loaded keys so the next use reads them again."""
    global _loaded  # noqa: PLW0603 - a process-wide cache of the key list
    with _lock:
        _loaded = None


def _configured_keys() -> list[str]:
    return [key.strip() for key in getattr(settings, "HEARTH_TOOLKIT_KEYS", []) if key.strip()]


def _load() -> _LoadedKeys:
    """Return the keys, reloading when their source changed (another process rotated them)."""
    global _loaded  # noqa: PLW0603 - a process-wide cache of the key list
    configured = _configured_keys()
    if configured:
        source: tuple[object, ...] = ("environment", *configured)
    else:
        path = key_file_path()
        try:
            status = path.stat()
            source = ("file", str(path), status.st_ino, status.st_mtime_ns, status.st_size)
        except FileNotFoundError:
            source = ("file", str(path), None)
    loaded = _loaded
    if loaded is not None and loaded.source == source:
        return loaded
    with _lock:
        keys = tuple(configured) if configured else tuple(_read_or_create_key_file())
        if problems := validate_keys(keys):
            raise ToolkitKeyError("; ".join(problems))
        if not configured:  # the file may have just been created: describe it as it is now
            status = key_file_path().stat()
            source = (
                "file",
                str(key_file_path()),
                status.st_ino,
                status.st_mtime_ns,
                status.st_size,
            )
        cipher = MultiFernet([Fernet(key.encode("ascii")) for key in keys])
        _loaded = _LoadedKeys(source=source, keys=keys, cipher=cipher)
        return _loaded


def missing_key_file_message() -> str:
    return (
        f"The toolkit key file {key_file_path()} is missing, but the database holds "
        "encrypted private text (toolkits, conversations). Hearth will not make a new key: "
        "it could not read that text. Put the key file back (from the backup made with "
        "this database: `hearth restore` puts it back when the backup holds it), or set "
        "HEARTH_TOOLKIT_KEYS."
    )


def can_decrypt(token: str, keys: tuple[str, ...]) -> bool:
    """Whether any of ``keys`` decrypts ``token`` (the value itself is thrown away)."""
    cipher = MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    try:
        cipher.decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeError, ValueError):
        return False
    return True


def create_key_file_for_fresh_install() -> bool:
    """Create the key file if it is missing and nothing is encrypted yet; True if created.

    Raises ToolkitKeyError when the file is missing but encrypted values exist.
    Does nothing when keys come from the environment.
    """
    if keys_come_from_environment() or key_file_path().exists():
        return False
    _read_or_create_key_file()
    reset_cache()
    return True


def _read_or_create_key_file() -> list[str]:
    """Read the key file; create it with one new key (mode 0600) on a fresh install.

    Creation uses O_EXCL, so two processes starting at once agree on one key.
    Raises ToolkitKeyError when the file is missing but the database already
    holds encrypted values: a new key could not read them.
    """
    path = key_file_path()
    try:
        return _parse_key_file(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        pass
    from hearth.core.key_safety import database_holds_encrypted_text  # noqa: PLC0415 - a cycle

    if database_holds_encrypted_text():
        raise ToolkitKeyError(missing_key_file_message())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _parse_key_file(path.read_text(encoding="ascii"))
    key = generate_key()
    with os.fdopen(descriptor, "w", encoding="ascii") as key_file:
        key_file.write(_KEY_FILE_HEADER + key + "\n")
    return [key]


def _parse_key_file(text: str) -> list[str]:
    keys = [line.strip() for line in text.splitlines()]
    keys = [key for key in keys if key and not key.startswith("#")]
    if not keys:
        raise ToolkitKeyError(f"The key file {key_file_path()} holds no keys.")
    return keys


def _write_key_file(keys: list[str]) -> None:
    """Replace the key file atomically, never leaving it readable by others."""
    path = key_file_path()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as key_file:
        key_file.write(_KEY_FILE_HEADER + "".join(f"{key}\n" for key in keys))
        key_file.flush()
        os.fsync(key_file.fileno())
    temporary.replace(path)
