"""Mail written to files in the data directory, one ``.eml`` file per message.

This is the embedded default: with no ``EMAIL_URL``, a person (or a test)
can open the verification link from the file. Each file opens in any mail
program. Files and their directory are readable by Hearth's user only.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from hearth.core.private_files import make_private_directory, write_private_file


class DataDirEmailBackend(BaseEmailBackend):
    def __init__(self, *, file_path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.directory = make_private_directory(Path(file_path))

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%S")
            path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            write_private_file(path, message.message().as_bytes())
        return len(email_messages)
