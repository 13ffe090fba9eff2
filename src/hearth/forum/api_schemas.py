"""The forum's JSON shapes (``forum/api.py``): what the pages show, as data, and never more.

A post carries what its thread page shows the viewer: the author's name (an anonymous
post's pseudonym, never who wrote it: no id, no username), its HTML only where the page
shows the text (not for a deleted post, nor a hidden one to anyone but its author and the
moderators), and the flags a client needs to fold it as the page does (a muted member's,
a content note the viewer folds).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from hearth.core.api_schema import BodyId, Output, RequestKey, Text
from hearth.forum.models import EDIT_REASON_MAX_LENGTH, TITLE_MAX_LENGTH, HopingFor, ReactionKind
from hearth.forum.services import REQUEST_KEY_MAX_LENGTH

# Room for a post's largest source (hearth.core.text.MAX_SOURCE_BYTES) in characters; the
# services refuse more bytes than that with their own message.
BODY_MAX_CHARACTERS = 200_000
CONTENT_NOTE_TEXT_MAX_LENGTH = 120
MOST_CONTENT_NOTE_LABELS = 50
HOPING_FOR_VALUES = ", ".join(HopingFor.values)
HOPING_FOR_DESCRIPTION = (
    f"What the thread's author hopes for from replies: any of {HOPING_FOR_VALUES}."
)

assert REQUEST_KEY_MAX_LENGTH == 64  # RequestKey's bound (hearth.core.api_schema)


class CategoryOut(Output):
    slug: str
    name: str
    description: str
    visibility: str = Field(description="public, members or moderators")
    allows_anonymous: bool
    thread_count: int
    post_count: int
    last_post_at: datetime | None
    last_thread_id: int | None = Field(
        description="The latest thread, when the viewer would see it in a list."
    )
    last_thread_title: str | None


class CategoryListOut(Output):
    categories: list[CategoryOut]


class ThreadSummaryOut(Output):
    id: int
    title: str
    author_name: str = Field(description="An anonymous thread's pseudonym.")
    is_pinned: bool
    is_locked: bool
    reply_count: int
    last_post_at: datetime
    last_poster_name: str
    is_unread: bool


class ThreadListOut(Output):
    category: CategoryOut
    threads: list[ThreadSummaryOut]
    next_cursor: str | None = Field(description="Pass as ?after= for the next page.")


class AuthorOut(Output):
    name: str = Field(description="Display name; an anonymous post's pseudonym.")
    username: str | None = Field(
        description="Only when the post may show who wrote it (not anonymous, account active)."
    )


class ContentNoteOut(Output):
    labels: list[str]
    text: str
    is_folded: bool = Field(
        description="The viewer's choices fold the post behind its note, as the page does."
    )


class ContentNoteLabelOut(Output):
    id: int
    name: str


class ContentNoteLabelsOut(Output):
    labels: list[ContentNoteLabelOut]


class ReactionCountsOut(Output):
    hug: int
    heart: int
    thanks: int
    me_too: int


class PostOut(Output):
    id: int
    thread_id: int
    position: int
    author: AuthorOut
    is_anonymous: bool
    created_at: datetime
    revision: int
    edited_at: datetime | None
    edited_by_name: str | None
    is_deleted: bool
    is_hidden: bool
    hidden_reason: str | None = Field(description="Shown to the author and the moderators.")
    is_held: bool = Field(description="Waiting for a moderator's approval.")
    body_html: str | None = Field(
        description="Sanitised HTML; null where the page shows no text (deleted, hidden)."
    )
    source: str | None = Field(
        description="The Markdown source, for editing: only to those who may edit the post."
    )
    content_note: ContentNoteOut | None
    is_from_muted_member: bool = Field(description="Fold it: the viewer muted its author.")
    reactions: ReactionCountsOut
    own_reactions: list[str]
    is_own: bool
    is_saved: bool
    can_edit: bool
    can_delete: bool
    can_react: bool


class ThreadOut(Output):
    id: int
    title: str
    category: CategoryOut
    author_name: str
    hoping_for: list[str] = Field(description=HOPING_FOR_DESCRIPTION)
    created_at: datetime
    is_pinned: bool
    is_locked: bool
    reply_count: int
    last_post_at: datetime
    can_reply: bool
    why_cannot_reply: str | None


class ThreadPageOut(Output):
    thread: ThreadOut
    page: int
    page_count: int
    newest_first: bool
    read_position: int | None
    first_unread_position: int | None
    follow_level: str = Field(description="watching, tracking, normal, muted; '' = default")
    posts: list[PostOut]


LabelIds = Annotated[list[BodyId], Field(max_length=MOST_CONTENT_NOTE_LABELS)]
# Values are checked by the service (422 naming ``hoping_for``); room for repeats.
HopingForIn = Annotated[
    list[Annotated[Text, Field(max_length=40)]],
    Field(max_length=2 * len(HopingFor.values), description=HOPING_FOR_DESCRIPTION),
]


class ContentNoteIn(Schema):
    label_ids: LabelIds = Field(default_factory=list)
    text: Annotated[Text, Field(max_length=CONTENT_NOTE_TEXT_MAX_LENGTH)] = ""


GoesLiveIn = Literal[0, 1, 5, 10]
GOES_LIVE_DESCRIPTION = (
    "Time to reconsider: minutes before it goes live (0: at once). Leave out for the member's "
    "own setting. A post that waits is answered with 202 and the waiting post, which only "
    "its author can see until then."
)


class WaitingPostOut(Output):
    """A post waiting to go live (or one that could not): its author's alone."""

    id: int
    thread_id: int | None = Field(description="The thread it replies to; null for a new thread.")
    category_slug: str
    title: str = Field(description="A new thread's title; empty for a reply.")
    body: str = Field(description="The Markdown, as written.")
    goes_live_at: datetime
    problem: str = Field(description="Why it could not go live; empty while it waits.")
    url: str = Field(description="Its page on the website (Publish now, Edit, Withdraw).")


class WaitingPostsOut(Output):
    waiting_posts: list[WaitingPostOut]


class NewThreadIn(Schema):
    title: Annotated[Text, Field(max_length=TITLE_MAX_LENGTH)]
    body: Annotated[Text, Field(max_length=BODY_MAX_CHARACTERS)]
    anonymous: bool = False
    content_note: ContentNoteIn | None = None
    hoping_for: HopingForIn = Field(default_factory=list)
    request_key: RequestKey = ""
    goes_live_in_minutes: GoesLiveIn | None = Field(default=None, description=GOES_LIVE_DESCRIPTION)


class ReplyIn(Schema):
    body: Annotated[Text, Field(max_length=BODY_MAX_CHARACTERS)]
    anonymous: bool = False
    content_note: ContentNoteIn | None = None
    request_key: RequestKey = ""
    goes_live_in_minutes: GoesLiveIn | None = Field(default=None, description=GOES_LIVE_DESCRIPTION)


class EditPostIn(Schema):
    body: Annotated[Text, Field(max_length=BODY_MAX_CHARACTERS)]
    base_revision: int = Field(
        ge=1, le=2**31 - 1, description="The revision the edit starts from (409 if not current)."
    )
    reason: Annotated[Text, Field(max_length=EDIT_REASON_MAX_LENGTH)] = ""
    content_note: ContentNoteIn | None = Field(
        default=None, description="Leave out to keep the post's content note."
    )
    hoping_for: HopingForIn | None = Field(
        default=None,
        description=(
            "Only for the thread's author editing its original post (422 otherwise); leave out "
            "to keep it. " + HOPING_FOR_DESCRIPTION
        ),
    )
    title: Annotated[Text, Field(max_length=TITLE_MAX_LENGTH)] | None = Field(
        default=None,
        description=(
            "The thread's new title: only for the thread's author editing its original post "
            "(422 otherwise); leave out to keep it. Kept in the post's history."
        ),
    )


class ThreadCreatedOut(Output):
    thread: ThreadOut
    post: PostOut


class ReactionOut(Output):
    kind: ReactionKind
    is_on: bool
    post: PostOut
