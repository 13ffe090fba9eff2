"""The visibility policy: who may see a category, a thread, a post -- one rule, three forms.

Every resource has one rule, asked three ways:

* **may this viewer see it** (``can_see_*``): Python, no queries, for one object
  already loaded (pages, fragments, tasks delivering one thing);
* **the list filter** (``*_filter``): a ``Q`` for querysets (and, for the busiest
  lists, the SQL conditions in ``hearth.forum.listings``, built from the same
  facts);
* **the audience** (``*_audience``): the members who may see it, as a query --
  what a notification or a live update asks before it reaches anyone.

The Python form is the rule (``hearth.forum.permissions``); the other two are
the same rule written for the database. ``tests/test_visibility_policy.py``
generates personas and states with hypothesis and checks that the three agree
on SQLite and PostgreSQL, so a change to one that is not made to the others
fails the suite.

"See" a post means read its text: a post that is held, hidden or deleted keeps
its place in the thread, but its text exists only for its author and the
moderators (held, hidden) or for nobody (deleted). Every route that returns a
post's text -- the thread page, its history, the quote, the edit form, the
reactions -- asks ``can_read_post`` through ``get_readable_post_for_viewer_or_404``.

A fully suspended member sees nothing of the forum until the suspension ends
(``Viewer.is_paused``); a partial suspension still lets them read. A member taking
a break sees nothing of it either until the break ends (``is_paused`` too, for the
same reading rule; a break is their choice, not a sanction). The audience forms
leave out a fully suspended member but not one on a break, who is told as ever
(unseen until they are back) and stays mentionable: others see nothing different.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from hearth.accounts.models import Role, User
from hearth.forum.models import Category, CategoryModerator, Post, Thread, Visibility
from hearth.forum.permissions import ThreadRules, why_cannot_view_category, why_cannot_view_thread
from hearth.forum.viewer import Viewer

_NOTHING = Q(pk__in=[])

# --- Who moderates what, as a query ---------------------------------------------------


def _administrators() -> Q:
    return Q(is_superuser=True) | Q(role=Role.ADMINISTRATOR)


def _moderators_of(category_id: int | OuterRef) -> Q:
    """Members who moderate the category: administrators, moderators of every category
    (no assignment), and moderators assigned to it."""
    assigned = CategoryModerator.objects.filter(member=OuterRef("pk"))
    return (
        _administrators()
        | (Q(role=Role.MODERATOR) & ~Exists(assigned))
        | (Q(role=Role.MODERATOR) & Exists(assigned.filter(category_id=category_id)))
    )


def _members_who_read() -> QuerySet[User]:
    """Active members who are not fully suspended: the ones who may read anything at all."""
    paused = Q(suspended_until__gt=timezone.now(), suspension_is_partial=False)
    return User.objects.filter(is_active=True).exclude(paused)


def moderators_of(category_id: int | None) -> QuerySet[User]:
    """The active members who moderate the category (every moderator and administrator
    when ``category_id`` is None): who a report or a check-in request is for."""
    members = User.objects.filter(is_active=True)
    if category_id is None:
        return members.filter(_administrators() | Q(role=Role.MODERATOR))
    return members.filter(_moderators_of(category_id))


# --- Categories ------------------------------------------------------------------------


def can_see_category(viewer: Viewer, category: Category) -> bool:
    return not viewer.is_paused and why_cannot_view_category(viewer, category) is None


def category_filter(viewer: Viewer, prefix: str = "") -> Q:
    """``Q`` on Category (or, with ``prefix`` such as ``"category__"``, through a relation)."""
    if viewer.is_paused:
        return _NOTHING
    public = Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    if not viewer.is_member:
        return public
    if viewer.moderates_everything:
        return Q()
    members = Q(**{f"{prefix}visibility": Visibility.MEMBERS})
    moderated = Q(**{f"{prefix}{'pk' if not prefix else 'id'}__in": viewer.moderated_category_ids})
    return public | members | moderated


def category_audience(category: Category) -> QuerySet[User]:
    members = _members_who_read()
    if category.visibility == Visibility.MODERATORS:
        return members.filter(_moderators_of(category.pk))
    return members


# --- Threads ---------------------------------------------------------------------------


def can_see_thread(viewer: Viewer, thread: Thread) -> bool:
    return not viewer.is_paused and why_cannot_view_thread(viewer, thread) is None


def _moderated_category(viewer: Viewer, prefix: str) -> Q:
    """The viewer moderates the category. (Never ``Q()`` for "everything": OR-ing an empty
    ``Q`` drops it, which would turn "or moderated" into nothing.)"""
    if viewer.moderates_everything:
        return Q(**{f"{prefix}category_id__isnull": False})
    return Q(**{f"{prefix}category_id__in": viewer.moderated_category_ids})


def thread_filter(viewer: Viewer, prefix: str = "") -> Q:
    """``Q`` on Thread (or through a relation, with ``prefix`` such as ``"thread__"``)."""
    visible = category_filter(viewer, prefix=f"{prefix}category__")
    not_held = Q(**{f"{prefix}is_held": False})
    if viewer.member_id is None:
        return visible & not_held
    own = Q(**{f"{prefix}author_id": viewer.member_id})
    return visible & (not_held | own | _moderated_category(viewer, prefix))


def thread_audience(thread: Thread) -> QuerySet[User]:
    audience = category_audience(thread.category)
    if thread.is_held:
        audience = audience.filter(Q(pk=thread.author_id) | _moderators_of(thread.category_id))
    return audience


# --- Posts -----------------------------------------------------------------------------


def can_see_post_place(viewer: Viewer, post: Post) -> bool:
    """May the viewer see that the post is there (its place in the thread, perhaps only
    "hidden" or "deleted"), as the thread page shows it?"""
    return not viewer.is_paused and ThreadRules(viewer, post.thread).why_cannot_see(post) is None


def can_read_post(viewer: Viewer, post: Post) -> bool:
    """May the viewer read the post's text (not merely see that it is there)?"""
    if viewer.is_paused or post.is_deleted:
        return False
    rules = ThreadRules(viewer, post.thread)
    return rules.why_cannot_see(post) is None and rules.why_cannot_read_hidden(post) is None


def post_filter(viewer: Viewer) -> Q:
    """``Q`` on Post: the posts whose text the viewer may read."""
    readable = thread_filter(viewer, prefix="thread__") & Q(is_deleted=False)
    restricted = Q(is_held=False, is_hidden=False)
    if viewer.member_id is None:
        return readable & restricted
    own = Q(author_id=viewer.member_id)
    return readable & (restricted | own | _moderated_category(viewer, "thread__"))


def post_audience(post: Post) -> QuerySet[User]:
    """The members who may read the post's text, checked against its state now."""
    if post.is_deleted:
        return User.objects.none()
    audience = thread_audience(post.thread)
    if post.is_held or post.is_hidden:
        audience = audience.filter(Q(pk=post.author_id) | _moderators_of(post.thread.category_id))
    return audience


def readable_posts(viewer: Viewer) -> QuerySet[Post]:
    return Post.objects.filter(post_filter(viewer))
