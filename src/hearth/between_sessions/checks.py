"""System checks: the toolkit's encryption keys are usable and private."""

from __future__ import annotations

import stat
from typing import Any

from django.conf import settings
from django.core import checks

from hearth.core.encryption import key_file_path, validate_keys


@checks.register("security")
def check_toolkit_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Fail on malformed HEARTH_TOOLKIT_KEYS; warn when the key file is readable by others."""
    messages: list[checks.CheckMessage] = []
    configured = [key.strip() for key in settings.HEARTH_TOOLKIT_KEYS if key.strip()]
    if configured:
        messages.extend(
            checks.Error(
                f"HEARTH_TOOLKIT_KEYS: {problem}.",
                hint="Generate a key with `hearth rotate_toolkit_key --generate`.",
                id="between_sessions.E001",
            )
            for problem in validate_keys(configured)
        )
        return messages
    path = key_file_path()
    if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        messages.append(
            checks.Warning(
                f"The toolkit key file {path} can be read by other users on this machine.",
                hint=f"chmod 600 {path}",
                id="between_sessions.W001",
            )
        )
    return messages
