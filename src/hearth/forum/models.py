"""The forum: categories, threads, posts with revisions, reactions, read state, drafts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hearth.safety.models import ContentNoteLabel

TITLE_MAX_LENGTH = 200
EDIT_REASON_MAX_LENGTH = 200


class Visibility(models.TextChoices):
    MEMBERS = "members", _("Signed-in members")
    MODERATORS = "moderators", _("Moderators only")
    PUBLIC = "public", _("Anyone, without signing in")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    visibility = models.CharField(
        _("who can read it"), max_length=16, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    allow_anonymous = models.BooleanField(
        _("allow anonymous posts"),
        default=False,
        help_text=_("Members may post here under a per-thread pseudonym."),
    )
    # Denormalised for list pages; updated with F() in the writing transaction.
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_post_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_thread_id = models.BigIntegerField(null=True, blank=True, editable=False)
    last_thread_title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True, editable=False)
    last_poster_name = models.CharField(max_length=50, blank=True, editable=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:category", kwargs={"slug": self.slug})


class CategoryModerator(models.Model):
    """A moderator assigned to particular categories (otherwise they moderate all)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "member"], name="unique_category_moderator")
        ]

    def __str__(self) -> str:
        return f"{self.member} moderates {self.category}"


class HopingFor(models.TextChoices):
    """What kind of replies a thread's author hopes for (any of them, or none)."""

    JUST_LISTENING = "just_listening", _("Just listening")
    SHARED_EXPERIENCES = "shared_experiences", _("Shared experiences")
    ADVICE_WELCOME = "advice_welcome", _("Advice welcome")
    HUGS = "hugs", _("Hugs")


# The same wishes inside a sentence ("Willow is hoping for: just listening, hugs").
HOPING_FOR_PHRASES = {
    HopingFor.JUST_LISTENING: _("just listening"),
    HopingFor.SHARED_EXPERIENCES: _("shared experiences"),
    HopingFor.ADVICE_WELCOME: _("advice welcome"),
    HopingFor.HUGS: _("hugs"),
}


class Thread(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    # The original post waits for a moderator's approval: only its author and
    # moderators see the thread until then.
    is_held = models.BooleanField(default=False)
    # The original post's content notes, copied here so lists can leave out
    # threads a member chose to hide.
    content_notes = models.ManyToManyField(ContentNoteLabel, blank=True, related_name="+")
    # What the author hopes for from replies: HopingFor values, in that order (a list
    # rather than an array column, for SQLite and PostgreSQL alike).
    hoping_for = models.JSONField(default=list, blank=True)
    # Denormalised for lists; updated with F() in the writing transaction.
    last_position = models.PositiveIntegerField(default=1)
    reply_count = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField(default=timezone.now)
    last_post_id = models.BigIntegerField(null=True, blank=True)
    last_poster_name = models.CharField(max_length=50, blank=True)

    class Meta:
        indexes = [
            # Category pages walk this index from the top: pinned first, then
            # by last activity, with the id breaking ties for keyset pagination.
            models.Index(
                "category",
                models.F("is_pinned").desc(),
                models.F("last_post_at").desc(),
                models.F("id").desc(),
                name="thread_category_listing",
            ),
            models.Index(models.F("last_post_at").desc(), name="thread_recent_activity"),
            # The feeds: the newest threads, everywhere and per category.
            models.Index(
                models.F("created_at").desc(), models.F("id").desc(), name="thread_newest"
            ),
            models.Index(
                "category",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="thread_category_newest",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forum:thread", kwargs={"thread_id": self.pk})

    @property
    def hoping_for_text(self) -> str:
        """The author's wishes as words for a sentence, in the reader's language."""
        return ", ".join(
            str(HOPING_FOR_PHRASES[HopingFor(value)])
            for value in self.hoping_for
            if value in HopingFor.values
        )


class PostQuerySet(models.QuerySet["Post"]):
    def update(self, **kwargs: Any) -> int:
        """Every change to a post bumps its version, so cached fragments of it go stale."""
        kwargs.setdefault("version", models.F("version") + 1)
        return super().update(**kwargs)

    def update_reaction_counts(self, **counts: Any) -> int:
        """Change reaction counts only, keeping the version: the counts are part of the
        cached article's key (``forum.rendering``), and a hug must not throw away the
        rendered body."""
        if not set(counts) <= set(REACTION_COUNT_FIELDS.values()):
            message = f"not reaction counts: {sorted(counts)}"
            raise ValueError(message)
        return super().update(**counts)


class Post(models.Model):
    # No index of its own: unique_post_position (thread, position) serves every lookup
    # by thread, and with a second one PostgreSQL read a page of a long thread by
    # scanning all its posts (it misjudged how few positions 1..20 of one thread are).
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="posts", db_index=False
    )
    # 1 is the original post; replies count up from 2 and never move, so a
    # page of any thread is a range of positions (constant cost).
    position = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=50)
    body = models.TextField()
    body_html = models.TextField()
    render_version = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    # The revision number a composer edits against: an edit saved against an
    # older number is a conflict, never a silent overwrite.
    revision = models.PositiveIntegerField(default=1)
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by_name = models.CharField(max_length=50, blank=True)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Posted under the thread's pseudonym: ``author`` is kept for permissions,
    # sanctions and an audited reveal, and is never shown to members.
    is_anonymous = models.BooleanField(default=False)
    # Hidden by a moderator: visible, marked, to moderators and the author only.
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=500, blank=True)
    # Waiting for approval (the first posts of new members, if the operator wants).
    is_held = models.BooleanField(default=False)
    content_notes = models.ManyToManyField(ContentNoteLabel, blank=True, related_name="+")
    content_note_text = models.CharField(_("content note"), max_length=120, blank=True)
    # The content_notes label ids, copied here so a page knows each post's
    # labels without another query.
    note_label_ids = models.JSONField(default=list, blank=True)
    # The active members the text @mentions (the author left out), found when it was
    # rendered: what a MemberMentioned event names when the post is published.
    mentioned_member_ids = models.JSONField(default=list, blank=True)
    # Bumped on every change (see PostQuerySet.update): the key of cached fragments.
    version = models.PositiveIntegerField(default=1)
    # The composer's idempotency key: a resubmitted form finds its post.
    request_key = models.CharField(max_length=64)
    hug_count = models.PositiveIntegerField(default=0)
    heart_count = models.PositiveIntegerField(default=0)
    thanks_count = models.PositiveIntegerField(default=0)
    me_too_count = models.PositiveIntegerField(default=0)

    objects = PostQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "position"], name="unique_post_position"),
            models.UniqueConstraint(
                fields=["author", "request_key"],
                condition=~Q(request_key=""),
                name="unique_post_request_key",
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in thread {self.thread_id}"

    # Set by the writing services when a crisis signal opened a check-in, so
    # the view can show the writer the private panel. Not stored.
    check_in_item_id: int | None = None

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving a stored post bumps its version too (like ``PostQuerySet.update``)."""
        if self.pk is not None and not self._state.adding:
            self.version = models.F("version") + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
            super().save(*args, **kwargs)
            self.refresh_from_db(fields=["version"])
            return
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("forum:permalink", kwargs={"post_id": self.pk})

    @property
    def is_original_post(self) -> bool:
        return self.position == 1


class PostRevision(models.Model):
    """One saved version of a post's text; revision 1 is what was first posted."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    # A thread's original post: the thread's title with this version (its author may change
    # it when editing); empty for replies.
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    author_name = models.CharField(max_length=50)
    reason = models.CharField(max_length=EDIT_REASON_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="unique_revision_number")
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of post {self.post_id}"


class ReactionKind(models.TextChoices):
    HUG = "hug", _("Hug")
    HEART = "heart", _("Heart")
    THANKS = "thanks", _("Thank you")
    ME_TOO = "me_too", _("Me too")


REACTION_COUNT_FIELDS = {
    ReactionKind.HUG: "hug_count",
    ReactionKind.HEART: "heart_count",
    ReactionKind.THANKS: "thanks_count",
    ReactionKind.ME_TOO: "me_too_count",
}


class Reaction(models.Model):
    # Private to the member (what they read, drafted, muted, reacted to, or which
    # pseudonym is theirs): never listed to an administrator (see accounts.admin).
    is_private_trace = True

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "member", "kind"], name="unique_reaction")
        ]

    def __str__(self) -> str:
        return f"{self.kind} on post {self.post_id}"


class ReadState(models.Model):
    """How far a member has read a thread (the highest position seen)."""

    # Private to the member (what they read, drafted, muted, reacted to, or which
    # pseudonym is theirs): never listed to an administrator (see accounts.admin).
    is_private_trace = True

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    last_read_position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "thread"], name="unique_read_state")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} read {self.thread_id} to {self.last_read_position}"


class CategoryReadMark(models.Model):
    """ "Mark category read": threads last active before this time count as read."""

    # Private to the member (what they read, drafted, muted, reacted to, or which
    # pseudonym is theirs): never listed to an administrator (see accounts.admin).
    is_private_trace = True

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "category"], name="unique_category_read_mark")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} read {self.category_id} up to {self.marked_at}"


class Draft(models.Model):
    """Text a member is writing, saved as they type so nothing is ever lost.

    One draft per member and place: a thread's reply box, a category's
    new-thread form, or the edit form of one of their posts (``post``, with the
    revision the edit started from, so a change saved meanwhile is a conflict).
    """

    # Private to the member (what they read, drafted, muted, reacted to, or which
    # pseudonym is theirs): never listed to an administrator (see accounts.admin).
    is_private_trace = True

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        "Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    base_revision = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "thread"],
                condition=Q(thread__isnull=False),
                name="unique_reply_draft",
            ),
            models.UniqueConstraint(
                fields=["member", "category"],
                condition=Q(thread__isnull=True, post__isnull=True),
                name="unique_new_thread_draft",
            ),
            models.UniqueConstraint(
                fields=["member", "post"],
                condition=Q(post__isnull=False),
                name="unique_edit_draft",
            ),
            models.CheckConstraint(
                condition=Q(thread__isnull=False)
                | Q(category__isnull=False)
                | Q(post__isnull=False),
                name="draft_has_a_place",
            ),
        ]

    def __str__(self) -> str:
        return f"Draft by {self.member_id}"


class PendingPost(models.Model):
    """A new post or thread its author gave time to reconsider ("Time to reconsider").

    Until ``goes_live_at`` it is only here -- not a Post -- so nothing that reads posts
    (threads, lists, search, feeds, the API, notifications, live updates, the crisis
    queue) can show it to anyone: only its author sees it, on its own page
    (``hearth.forum.pending``). Then the usual writing service publishes it, with every
    check of that moment. If it cannot go live (the thread was locked, say), it stays
    here with the reason, and the author decides.
    """

    # Private to the member: never listed to an administrator (see accounts.admin).
    is_private_trace = True

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    # The thread it replies to; none when it starts a thread (then ``title`` is set), or
    # when the thread was removed meanwhile (then it cannot go live, and says so).
    thread = models.ForeignKey(
        Thread, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    body = models.TextField(blank=True)
    is_anonymous = models.BooleanField(default=False)
    content_note_label_ids = models.JSONField(default=list, blank=True)
    content_note_text = models.CharField(max_length=120, blank=True)
    hoping_for = models.JSONField(default=list, blank=True)
    # The composer's idempotency key, used again when it goes live: a post is made once.
    request_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    goes_live_at = models.DateTimeField()
    # The writer asked, from the private crisis panel, for a moderator to check in: the
    # check-in item is made (and marked asked) only when the post goes live.
    asks_for_check_in = models.BooleanField(default=False)
    # Why it could not go live, in words for its author; empty while it waits.
    problem = models.CharField(max_length=500, blank=True)
    # Once live: the post it became (its text is then the post's, and cleared here).
    published_post = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["goes_live_at"], name="pending_post_goes_live")]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "request_key"], name="unique_pending_post_request_key"
            ),
        ]

    def __str__(self) -> str:
        return f"Pending post {self.pk} by {self.author_id}"

    def get_absolute_url(self) -> str:
        return reverse("forum:pending_post", kwargs={"pending_id": self.pk})


ANONYMOUS_NAMES = [
    "Wren",
    "Heron",
    "Finch",
    "Robin",
    "Lark",
    "Swift",
    "Plover",
    "Linnet",
    "Dunnock",
    "Egret",
    "Kestrel",
    "Martin",
    "Siskin",
    "Thrush",
    "Tern",
    "Curlew",
    "Dipper",
    "Godwit",
    "Merlin",
    "Ouzel",
    "Pipit",
    "Redstart",
    "Stonechat",
    "Twite",
]


class AnonymousIdentity(models.Model):
    """A member's pseudonym within one thread: stable, and different in every thread."""

    # Private to the member (what they read, drafted, muted, reacted to, or which
    # pseudonym is theirs): never listed to an administrator (see accounts.admin).
    is_private_trace = True

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "member"], name="unique_anonymous_member"),
            models.UniqueConstraint(fields=["thread", "number"], name="unique_anonymous_number"),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def pseudonym(self) -> str:
        return pseudonym_for(self.number)


def pseudonym_for(number: int) -> str:
    name = ANONYMOUS_NAMES[number % len(ANONYMOUS_NAMES)]
    rounds = number // len(ANONYMOUS_NAMES)
    return f"Anonymous {name}" + (f" {rounds + 1}" if rounds else "")


class FollowLevel(models.TextChoices):
    """How closely a member follows a thread or a category: what notifies them."""

    WATCHING = "watching", _("Watching")
    TRACKING = "tracking", _("Tracking")
    NORMAL = "normal", pgettext_lazy("how closely a member follows", "Normal")
    MUTED = "muted", _("Muted")


FOLLOW_LEVEL_HELP = {
    FollowLevel.WATCHING: _("Every new reply notifies you."),
    FollowLevel.TRACKING: _(
        "Replies to your posts and mentions of you notify you; in your own thread, every reply."
    ),
    FollowLevel.NORMAL: _("Only mentions of you notify you."),
    FollowLevel.MUTED: _("Nothing notifies you, and the thread leaves your lists."),
}
CATEGORY_FOLLOW_LEVEL_HELP = {
    FollowLevel.WATCHING: _("Every new thread and every reply notifies you."),
    FollowLevel.TRACKING: _("Every new thread notifies you."),
    FollowLevel.NORMAL: _("Only what concerns you notifies you (your threads, mentions)."),
    FollowLevel.MUTED: _("Nothing in this category notifies you, unless you follow the thread."),
}


class ThreadFollowing(models.Model):
    """A member's own choice of how to follow a thread. Without one the member is
    *tracking* threads they started or replied in, and *normal* elsewhere; *muted*
    also takes the thread out of their lists."""

    # Private to the member (what they read, drafted, muted, reacted to, or which
    # pseudonym is theirs): never listed to an administrator (see accounts.admin).
    is_private_trace = True

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=16, choices=FollowLevel.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "thread"], name="unique_thread_following")
        ]
        indexes = [models.Index(fields=["thread", "level"], name="thread_following_level")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.level} thread {self.thread_id}"


class CategoryFollowing(models.Model):
    """A member's choice of how to follow a whole category (``CATEGORY_FOLLOW_LEVEL_HELP``)."""

    is_private_trace = True

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=16, choices=FollowLevel.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "category"], name="unique_category_following")
        ]
        indexes = [models.Index(fields=["category", "level"], name="category_following_level")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.level} category {self.category_id}"


BOOKMARK_NOTE_MAX_LENGTH = 500


class Bookmark(models.Model):
    """A post a member saved to come back to, with an optional note only they see."""

    is_private_trace = True

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=BOOKMARK_NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "post"], name="unique_bookmark")]
        indexes = [models.Index(fields=["member", "-created_at"], name="bookmarks_newest_first")]

    def __str__(self) -> str:
        return f"{self.member_id} saved post {self.post_id}"
