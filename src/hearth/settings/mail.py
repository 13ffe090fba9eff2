"""Turn ``EMAIL_URL`` into Django's ``MAILERS`` setting, and name the default sender."""

from email.headerregistry import Address
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DATA_DIR_BACKEND = "hearth.core.mail_backend.DataDirEmailBackend"
_SSL_SCHEMES = {"smtps", "smtp+ssl"}
_TLS_SCHEMES = {"smtp+tls"}
_TRUE = {"1", "true", "yes", "on"}


def default_sender(site_name: str, hostname: str) -> str:
    """Return ``"Site name <noreply@hostname>"``, the sender when none is configured.

    The name is quoted when it needs to be, so a comma or quotes in it cannot split
    the header into several addresses.
    """
    return str(Address(display_name=site_name, username="noreply", domain=hostname))


def mailers_from_url(email_url: str, mail_dir: Path) -> dict[str, dict[str, Any]]:
    """Return ``MAILERS`` for an ``EMAIL_URL``; with none, write mail to ``mail_dir``.

    ``smtp://user:password@host:port`` sends plain SMTP (``?tls=1`` for
    STARTTLS), ``smtp+tls://`` STARTTLS, ``smtps://`` or ``smtp+ssl://`` TLS.
    Raises ValueError for any other scheme, so a typo fails at start-up.
    """
    if not email_url:
        return {"default": {"BACKEND": DATA_DIR_BACKEND, "OPTIONS": {"file_path": str(mail_dir)}}}
    url = urlsplit(email_url)
    scheme = url.scheme.lower()
    if scheme not in {"smtp"} | _SSL_SCHEMES | _TLS_SCHEMES:
        message = f"EMAIL_URL must start with smtp://, smtp+tls://, smtps:// or smtp+ssl://, not {scheme}://"
        raise ValueError(message)
    query = {key: values[-1] for key, values in parse_qs(url.query).items()}
    options: dict[str, Any] = {
        "host": url.hostname or "localhost",
        "use_ssl": scheme in _SSL_SCHEMES,
        "use_tls": scheme in _TLS_SCHEMES or query.get("tls", "").lower() in _TRUE,
        "timeout": int(query.get("timeout", "10")),
    }
    if url.port:
        options["port"] = url.port
    if url.username:
        options["username"] = unquote(url.username)
        options["password"] = unquote(url.password or "")
    return {"default": {"BACKEND": SMTP_BACKEND, "OPTIONS": options}}
