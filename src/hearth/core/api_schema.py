"""What every app's JSON endpoints share: the one error shape, and the id and key parameters.

The API's wiring lives in ``hearth.api``; each app keeps its endpoints in its own
``api.py`` (a django-ninja ``Router``) and imports from here, never from
``hearth.api``: lower apps do not import higher ones (docs/architecture.md).

Every answer that is not a success has one shape (docs/api.md)::

    {"error": {"code": "not_found", "message": "...", "fields": {...}, "conflict": {...}}}

``fields`` is present for invalid input (which field, what is wrong); ``conflict``
for a 409, with both texts, so a client loses nothing its member typed.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Header, Path
from pydantic import AfterValidator, BaseModel, Field

# The largest id a route takes: the ``id`` URL converter's 18 digits (hearth.core.converters).
LARGEST_ID = 10**18 - 1
REQUEST_KEY_MAX_LENGTH = 64


def _storable(value: str) -> str:
    """No database keeps a NUL character (PostgreSQL refuses it): refuse it as input."""
    if "\x00" in value:
        message = "This holds a character we can't keep (NUL)."
        raise ValueError(message)
    return value


# Text a client sends: anything a database can store.
Text = Annotated[str, AfterValidator(_storable)]
# An id in a body: digits the database can hold.
BodyId = Annotated[int, Field(ge=1, le=LARGEST_ID)]
RequestKey = Annotated[
    Text,
    Field(
        max_length=REQUEST_KEY_MAX_LENGTH,
        description=(
            "Optional: a key of the client's choosing (a UUID, say). The same key sent again "
            "(a retry) writes once and answers with what the first request made; the same key "
            "with other text is a 409 with both texts. Or send the Idempotency-Key header."
        ),
    ),
]


class Output(BaseModel):
    """What an endpoint answers: a plain pydantic model, built from our own records
    (ninja's ``Schema`` adds a validator that reads ORM objects, at a cost per object)."""


class ConflictOut(Output):
    """Both texts of a 409: what is stored now, and what the client sent."""

    current_body: str = Field(description="The text as it is stored now.")
    current_revision: int | None = Field(
        default=None, description="Edit conflicts: the revision to base a new edit on."
    )
    edited_by_name: str | None = Field(
        default=None, description="Edit conflicts: who saved the current revision."
    )
    sent_body: str = Field(description="The text this request sent, kept for the member.")
    existing_id: int | None = Field(
        default=None, description="Reused request keys: the post or message the key made."
    )


class ErrorDetail(Output):
    code: str = Field(
        description=(
            "What went wrong, for programs: bad_request, unauthorized, forbidden, "
            "insufficient_scope, csrf_failed, suspended, not_found, method_not_allowed, "
            "edit_conflict, request_key_reused, payload_too_large, validation_failed, "
            "rate_limited, unavailable."
        )
    )
    message: str = Field(description="What went wrong, for people, in the member's language.")
    fields: dict[str, list[str]] | None = Field(
        default=None, description="Invalid input: the messages for each field."
    )
    conflict: ConflictOut | None = None


class ErrorOut(Output):
    error: ErrorDetail


# Answers every endpoint may give (documented on each operation).
COMMON_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    405: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
    503: ErrorOut,
}


# An operation a signed-out visitor may call, as they may read the same on the web (a public
# category's threads): ``openapi_extra=VISITORS_MAY_CALL``. The API's wiring lets no
# credentials through on these (as a visitor, whom the visibility policy asks to sign in
# for anything else: 401), and the OpenAPI document says the security is optional.
VISITORS_MAY_CALL: dict[str, Any] = {"security": [{"BearerToken": []}, {"SessionCookie": []}, {}]}


def responses(success: dict[int, Any], *, conflict: bool = False) -> dict[int, Any]:
    """An operation's documented answers: its successes, and the error shape for the rest."""
    return {**COMMON_ERRORS, **({409: ErrorOut} if conflict else {}), **success}


class ApiError(Exception):
    """Answer with the error shape: raised by endpoints for what the services do not say."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        conflict: ConflictOut | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.conflict = conflict

    def body(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields is not None:
            detail["fields"] = self.fields
        if self.conflict is not None:
            detail["conflict"] = self.conflict.model_dump()
        return {"error": detail}


# Ids in addresses: digits the database can hold (larger ones never match the route).
ObjectId = Annotated[int, Path(ge=1, le=LARGEST_ID)]
# A client's key for a write: the same key sends once (a retried request creates nothing new).
IdempotencyKey = Annotated[
    Text | None,
    Header(
        alias="Idempotency-Key",
        max_length=REQUEST_KEY_MAX_LENGTH,
        description=(
            "Send the same key again (a retry) and the write happens once; the answer is "
            "what the first one made. Same as the body's request_key."
        ),
    ),
]
