"""The embedded secret key: generated once, kept in the data directory."""

import secrets
from pathlib import Path

SECRET_KEY_FILE_NAME = "secret_key"  # noqa: S105 - a file name, not a secret


def load_or_create_secret_key(data_dir: Path) -> str:
    """Return the key stored in ``data_dir``, creating it (mode 0600) on first use.

    Creation uses O_EXCL so two processes starting at once agree on one key.
    """
    path = data_dir / SECRET_KEY_FILE_NAME
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(64)
    try:
        with path.open("x", encoding="ascii") as key_file:
            key_file.write(key)
        path.chmod(0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    return key
