"""The demo community: categories and conversations written for Hearth.

Every word here is ours, written to show how the forum feels in use: a long
article-style post with replies over several days, an edited post, reactions,
emoticons, a hug, a mention and a quote.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hearth.accounts.models import User
from hearth.core.tasks import run_due_tasks
from hearth.core.text import quote_markdown
from hearth.forum.models import Category, Post, ReactionKind, Thread
from hearth.forum.services import (
    edit_post,
    mark_thread_read,
    reply_to_thread,
    start_thread,
    toggle_reaction,
    writing_as_approved,
)

CATEGORIES = [
    (
        "introductions",
        "Introductions",
        "Say hello. Where you are in therapy, if you want to share, and what brought you here.",
    ),
    (
        "therapy-relationship",
        "The therapy relationship",
        "Attachment, trust, ruptures and repairs: everything about the relationship with your therapist.",
    ),
    (
        "between-sessions",
        "Between sessions",
        "Getting through the days and weeks between appointments, breaks and holidays.",
    ),
    (
        "articles",
        "Articles and reflections",
        "Longer pieces about the work of therapy. Comments and replies are welcome.",
    ),
    ("off-topic", "Off topic", "Books, gardens, pets, small joys. A place to breathe."),
]

ARTICLE = """\
I've been in twice-weekly therapy for a little over three years, and I want to write about something that took me a long time to admit: **I miss my therapist**. Not in a dramatic way, most days. More like a low hum under everything, which gets louder on Friday afternoons and doesn't settle until Tuesday.

For a long time I was embarrassed by it. I'm an adult with a job and a mortgage; surely I shouldn't be counting the hours until I can sit in a room with someone I pay. But the more I've talked about it (in the room, eventually), the more I've come to think that missing her isn't a sign that something is wrong. It's a sign that something is *happening*.

## What the missing is made of

When I slow down and look at it, the missing has a few different threads:

1. **Being held in mind.** For fifty minutes, someone is paying close attention to me. Between sessions I lose that, and part of me doesn't quite believe she remembers me at all.
2. **Old losses.** The Friday feeling is very familiar. It is the feeling of waiting by a window. My therapist says the relationship is a place where old feelings come to be felt again, safely this time.
3. **Things I didn't say.** Often I miss her most when I've left something unsaid. The missing is partly the words still looking for a place to land.

## What has helped

- Writing things down as they come up, and bringing the notebook with me. Not to read from, just to know it's there.
- Noticing the "she's forgotten me" thought as a *thought*, and reminding myself of evidence: she remembered my sister's name after two months.
- Telling her about it. This was the hardest and it helped the most. She didn't laugh or pull away. She said, "Of course you miss me. We do important work together."

## A question for you

I'd really like to hear from others. Do you miss your therapist between sessions? What is the missing made of, for you? And what do you do with it?

Thank you for reading this far :)
"""

REPLIES = [
    (
        "harbour",
        1,
        "This could have been written by me, right down to the Friday afternoons. :'( Thank you for putting words to it.\n\nFor me the missing is mostly the *being held in mind* part. I've started sending myself a short note after each session with one sentence she said. On bad days I read them back.",
    ),
    (
        "fern",
        1,
        "(((willow)))\n\nI've been in therapy on and off for years and I still feel this. What helped me was realising the missing gets *smaller* when I let myself feel it instead of fighting it. Strange but true.",
    ),
    (
        "otter",
        2,
        "I used to think missing my therapist meant I was too dependent. My therapist reframed it: dependency isn't the enemy, it's part of how we learn that relying on someone can be safe. That took a lot of shame out of it for me.",
    ),
    (
        "sparrow",
        3,
        "QUOTE_FERN\n\nThis, so much. When I try to push the feeling away it comes back twice as strong on Sunday night. @fern do you do anything in particular when you let yourself feel it?",
    ),
    (
        "fern",
        3,
        '@sparrow mostly I just name it out loud, "I miss her and that\'s okay", and then do something with my hands: gardening, washing up, kneading bread. :) The feeling passes through faster.',
    ),
    (
        "tamsin",
        5,
        "Reading this thread a few days late. My therapist is moving away in the spring and we're working towards an ending. I'm scared that the missing will never stop.\n\nIt helps a bit to see that so many of you carry this and still get through the weeks. Thank you all.",
    ),
    (
        "willow",
        5,
        "@tamsin (((tamsin))) I'm so sorry. Endings are hard, and a planned ending is still a loss. I hope you can bring that fear into the room with her; there is still time to say it. We're here in the meantime.",
    ),
]

OTHER_THREADS = [
    (
        "introductions",
        "marlow",
        "Hello from a long-time lurker",
        "Hi everyone. I've been reading here for a few months and finally made an account. I'm about a year into psychodynamic therapy. Mostly I'm here to read, but I wanted to say that this place has made me feel less strange. :)",
        [
            ("rowan", "Welcome, Marlow! No pressure to post; reading counts too. :)"),
            ("clover", "Welcome! I lurked for ages before my first post too. Glad you're here."),
        ],
    ),
    (
        "between-sessions",
        "brook",
        "Weekends are the longest days",
        "Does anyone else find weekends harder than weekdays? Monday to Friday I have work to hold me together. On Saturdays I wake up and the whole day is just... open. How do you structure the weekend when your therapist is out of reach?",
        [
            (
                "heron",
                "I plan one small thing for each half of the day: a walk in the morning, a phone call in the afternoon. Small enough that I can't talk myself out of it.",
            ),
            (
                "lantern",
                'Same here, Brook. I keep a list of "weekend anchors" on my fridge. It\'s not a cure but it helps. :D',
            ),
            (
                "moss",
                "Libraries! Being around quiet people without having to talk to anyone is oddly soothing.",
            ),
        ],
    ),
    (
        "therapy-relationship",
        "piper",
        "Telling my therapist I was angry with her",
        "Last week she was five minutes late and I spent the whole session being very polite. This week I finally said I'd been angry. I expected her to be hurt or defensive. Instead she was *interested*. I don't know what to do with that yet.",
        [
            (
                "quill",
                "That sounds like a big moment. Being allowed to be angry without losing the relationship is a lot of what the work is, I think.",
            ),
            (
                "sage",
                "Repairs like that are often where the real change happens. Be gentle with yourself while you digest it. ;)",
            ),
        ],
    ),
    (
        "off-topic",
        "juniper",
        "Small good things this week",
        "A thread for small good things. I'll start: the first frost made the spider webs on my fence look like lace. :o",
        [
            ("ember", "My cat slept on my feet the whole night. <3"),
            (
                "otter",
                "Found a second-hand copy of a book I loved as a child. Same cover and everything. :)",
            ),
        ],
    ),
]


def _member(username: str) -> User:
    return User.objects.get(username=username)


def _backdate(post: Post, when: datetime, *, edited_at: datetime | None = None) -> None:
    """Move a post and its history into the past: its first revision to ``when``, and
    the edits (if any) to ``edited_at``, so "Last edited" and the history agree."""
    edited = post.revisions.filter(number__gt=1)
    if edited.exists() != (edited_at is not None):
        message = "give edited_at exactly when the post has been edited"
        raise ValueError(message)
    post.revisions.filter(number=1).update(created_at=when)
    if edited_at is None:
        Post.objects.filter(pk=post.pk).update(created_at=when)
        return
    edited.update(created_at=edited_at)
    Post.objects.filter(pk=post.pk).update(created_at=when, edited_at=edited_at)


def _refresh_thread_times(thread: Thread) -> None:
    last = thread.posts.order_by("-position").first()
    assert last is not None
    Thread.objects.filter(pk=thread.pk).update(
        created_at=thread.posts.get(position=1).created_at,
        last_post_at=last.created_at,
        last_post_id=last.pk,
        last_poster_name=last.author_name,
    )


def _refresh_category_times() -> None:
    for category in Category.objects.all():
        last = category.threads.order_by("-last_post_at").first()
        if last is None:
            continue
        Category.objects.filter(pk=category.pk).update(
            last_post_at=last.last_post_at,
            last_thread_id=last.pk,
            last_thread_title=last.title,
            last_poster_name=last.last_poster_name,
        )


def _mark_own_posts_read(threads: list[Thread]) -> None:
    """Each author has read the threads they wrote in down to their own latest post there,
    as a member who writes has read what came before (and their own post is never news)."""
    furthest = list(
        Post.objects.filter(thread__in=threads, author__isnull=False)
        .values("author_id", "thread_id")
        .annotate(position=Max("position"))
    )
    # Read after the tasks ran: ``mark_thread_read`` clears the notifications it covers
    # only for a member it knows to have some.
    members = User.objects.in_bulk({row["author_id"] for row in furthest})
    by_id = {thread.pk: thread for thread in threads}
    for row in furthest:
        mark_thread_read(
            member=members[row["author_id"]],
            thread=by_id[row["thread_id"]],
            up_to_position=row["position"],
            known_position=None,
        )


def _run_due_tasks_quietly() -> None:
    """Run the tasks due now without a log line for each (a failure is still logged)."""
    tasks_log = logging.getLogger("django.tasks")
    level = tasks_log.level
    tasks_log.setLevel(logging.WARNING)
    try:
        run_due_tasks()
    finally:
        tasks_log.setLevel(level)


def create_demo_forum() -> list[str]:
    """Create the demo categories and threads once; later runs change nothing.

    Its posts are published as approved whatever the moderation settings
    (``HEARTH_HOLD_FIRST_POSTS`` would otherwise hold every demo member's first post).
    """
    if Category.objects.filter(slug=CATEGORIES[0][0]).exists():
        return ["The demo forum was already there."]
    with writing_as_approved(), transaction.atomic():
        threads = _create_demo_forum()
    # The work the worker does as posts come in (notifications, the search index) runs
    # now, before the authors "read" their threads: reading clears the notifications it
    # covers, as it would have for a member who was there when the replies came.
    _run_due_tasks_quietly()
    _mark_own_posts_read(threads)
    return [
        f"Demo forum: {len(CATEGORIES)} categories, {Thread.objects.count()} threads, "
        f"{Post.objects.count()} posts."
    ]


def _create_demo_forum() -> list[Thread]:
    categories = {}
    for position, (slug, name, description) in enumerate(CATEGORIES):
        categories[slug] = Category.objects.create(
            slug=slug, name=name, description=description, position=position
        )
    now = timezone.now()
    article_start = now - timedelta(days=6, hours=3)
    willow = _member("willow")
    thread = start_thread(
        author=willow,
        category=categories["articles"],
        title="Missing your therapist: what the missing is made of",
        body=ARTICLE.replace("a little over three years", "three years"),
        request_key="demo-article",
    )
    original = thread.posts.get(position=1)
    # The article was edited after posting: the demo shows "Last edited ... by Willow".
    edit_post(
        editor=willow,
        post=original,
        body=ARTICLE,
        base_revision=1,
        reason="Added how long I've been in therapy",
    )
    _backdate(original, article_start, edited_at=article_start + timedelta(hours=2))
    fern_reply = None
    for index, (username, day, text) in enumerate(REPLIES):
        body = text
        if "QUOTE_FERN" in body and fern_reply is not None:
            quoted = quote_markdown(
                "What helped me was realising the missing gets *smaller* when I let myself "
                "feel it instead of fighting it.",
                author_name="Fern",
                permalink=fern_reply.get_absolute_url(),
            )
            body = body.replace("QUOTE_FERN", quoted)
        post = reply_to_thread(
            author=_member(username), thread=thread, body=body, request_key=f"demo-reply-{index}"
        )
        _backdate(post, article_start + timedelta(days=day, hours=index * 2 + 1))
        if username == "fern" and fern_reply is None:
            fern_reply = post
    for username, kind in [
        ("harbour", ReactionKind.HUG),
        ("fern", ReactionKind.HEART),
        ("tamsin", ReactionKind.ME_TOO),
        ("otter", ReactionKind.THANKS),
        ("sparrow", ReactionKind.ME_TOO),
        ("rowan", ReactionKind.HUG),
    ]:
        toggle_reaction(member=_member(username), post=original, kind=kind)
    _refresh_thread_times(thread)
    threads = [thread]

    for number, (slug, author, title, body, replies) in enumerate(OTHER_THREADS):
        started = now - timedelta(days=4 - number, hours=5)
        other = start_thread(
            author=_member(author),
            category=categories[slug],
            title=title,
            body=body,
            request_key=f"demo-thread-{number}",
        )
        _backdate(other.posts.get(position=1), started)
        for index, (username, reply_body) in enumerate(replies):
            post = reply_to_thread(
                author=_member(username),
                thread=other,
                body=reply_body,
                request_key=f"demo-thread-{number}-{index}",
            )
            _backdate(post, started + timedelta(hours=3 * (index + 1)))
        _refresh_thread_times(other)
        threads.append(other)
    _refresh_category_times()
    return threads
