"""Mail leaves through the worker: a request never waits for the mail server, and a
message that fails to send is retried (``hearth.core.tasks``).

The message is rendered in the request (its language and links are the
request's) and handed to the task as plain values; the task sends it.
"""

from __future__ import annotations

from django.core.mail import EmailMessage, EmailMultiAlternatives

from hearth.core.tasks import background_task


def send_later(message: EmailMessage) -> None:
    """Enqueue ``message`` for sending; in a transaction, it is sent only if that commits."""
    html = None
    if isinstance(message, EmailMultiAlternatives):
        html = next(
            (str(content) for content, kind in message.alternatives if kind == "text/html"), None
        )
    send_mail_message.enqueue(
        subject=str(message.subject),
        body=str(message.body),
        from_email=str(message.from_email),
        to=[str(address) for address in message.to],
        html=html,
        headers={str(name): str(value) for name, value in (message.extra_headers or {}).items()},
    )


@background_task(max_attempts=8)
def send_mail_message(
    *,
    subject: str,
    body: str,
    from_email: str,
    to: list[str],
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Send one message (retried by the worker while the mail server is away)."""
    message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers or {})
    if html is not None:
        message.attach_alternative(html, "text/html")
    message.send()
