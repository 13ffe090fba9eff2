"""What a member's archive holds: one of everything that is theirs, and nothing of anyone
else's that they could not see in the app.

The scene gives Rowan a row of every model the export covers (a test checks it against
``SECTIONS``), each text carrying its own marker; around Rowan, other members' words that
Rowan must never get: a conversation Rowan is not in, a post hidden since Rowan saved it,
who wrote an anonymous reply, who reported Rowan.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.utils import timezone

from hearth.accounts.models import Role, User
from hearth.accounts.services import mute_member
from hearth.between_sessions.peer_check_ins.services import Arrangement, arrange_peer_check_ins
from hearth.conversations import drafts
from hearth.conversations.models import AllowFrom
from hearth.conversations.selectors import get_conversation_for_viewer_or_404
from hearth.conversations.services import (
    choose_who_may_start,
    edit_message,
    leave_conversation,
    send_message,
    start_conversation,
)
from hearth.conversations.testing import make_established, open_to_everyone
from hearth.core.testing import ClientFor, FillToolkit, MakeMember
from hearth.forum.models import (
    Category,
    CategoryModerator,
    FollowLevel,
    Post,
    ReactionKind,
    Thread,
    Visibility,
)
from hearth.forum.pending import hold_back
from hearth.forum.services import (
    edit_post,
    follow_category,
    follow_thread,
    mark_category_read,
    mark_thread_read,
    reply_to_thread,
    save_draft,
    save_post,
    set_bookmark_note,
    start_thread,
    toggle_reaction,
)
from hearth.member_data.export import FORMAT, FORMAT_VERSION, SECTIONS, build_archive
from hearth.member_data.models import AccountDeletion, DataExport, PostsChoice
from hearth.moderation.services import hide_post, warn_member
from hearth.notifications.models import Digest, Notification
from hearth.notifications.services import save_settings, settings_for
from hearth.notifications.testing import deliver
from hearth.safety.models import ContentNoteLabel, NoteChoice, ReportReason
from hearth.safety.services import (
    ask_for_message_check_in,
    file_report,
    send_message_to_moderators,
    set_note_preference,
)
from hearth.welcome.services import mark_welcome_shown, record_sign_up

pytestmark = pytest.mark.django_db

# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
MFA_SECRET = "MFA-SECRET-never-exported"

# Rowan's own words: each must be in the archive.
ROWANS = [
    "ROWAN-THREAD-TITLE",
    "ROWAN-FIRST-VERSION",
    "ROWAN-EDITED-POST",
    "ROWAN-ANONYMOUS-POST",
    "ROWAN-REPLY",
    "ROWAN-BOOKMARK-NOTE",
    "ROWAN-FORUM-DRAFT",
    "ROWAN-WAITING-TITLE",
    "ROWAN-WAITING-POST",
    "ROWAN-MESSAGE-DRAFT",
    "ROWAN-STARTED-CONVERSATION",
    "ROWAN-FIRST-MESSAGE",
    "ROWAN-EDITED-MESSAGE",
    "ROWAN-REPORT-DETAILS",
    "ROWAN-TO-THE-MODERATORS",
    "ROWAN-ABOUT-ME",
]
# Others' words Rowan can read in the app: in the archive too.
SEEN_BY_ROWAN = ["FERN-WROTE-TO-ROWAN", "FERN-VISIBLE-POST", "A warning for Rowan"]
# Never in Rowan's archive.
NOT_ROWANS = [
    "SECRET-OTHER-CONVERSATION",
    "FERN-HIDDEN-POST",
    "LEFT-CONVERSATION-TEXT",
    "HAZEL-REPORTS-ROWAN",
    "Hazelwood",
    "hazel_reporter",
    "Ashcroft",
    "ash_anonymous",
    MFA_SECRET,
    "FERN-TOOLKIT-MARKER",  # Fern asked Rowan to check in: nothing of her toolkit comes along
]
TOOLKIT_MARKER = "TOOLKIT-MARKER-4471"


@dataclass
class Scene:
    rowan: User
    fern: User
    ash: User
    general: Category
    rowans_thread: Thread
    anonymous_thread: Thread
    ferns_thread: Thread
    ferns_post: Post
    ashs_anonymous_reply: Post


def _archive(
    member: User, *, include_toolkit: bool = False
) -> tuple[dict[str, Any], str, zipfile.ZipFile]:
    content = build_archive(member, include_toolkit=include_toolkit, now=timezone.now())
    archive = zipfile.ZipFile(io.BytesIO(content))
    (folder,) = {name.split("/")[0] for name in archive.namelist()}
    data = json.loads(archive.read(f"{folder}/data.json"))
    page = archive.read(f"{folder}/index.html").decode()
    return data, page, archive


@pytest.fixture
def scene(
    make_member: MakeMember, client_for: ClientFor, moderator: User, toolkit_filler: FillToolkit
) -> Scene:
    rowan = make_member(username="rowan", display_name="Rowan", bio="ROWAN-ABOUT-ME")
    fern = make_member(username="fern", display_name="Fern")
    ash = make_member(username="ash_anonymous", display_name="Ashcroft")
    willow = make_member(username="willow", display_name="Willow")
    hazel = make_member(username="hazel_reporter", display_name="Hazelwood")
    make_established(rowan, fern, willow)
    open_to_everyone(rowan, fern, willow)
    client_for(rowan)  # a signed-in session
    client_for(fern)

    rowan.avatar.save("me.png", ContentFile(PNG))
    Authenticator.objects.create(
        user=rowan, type=Authenticator.Type.TOTP, data={"secret": MFA_SECRET}
    )
    general = Category.objects.create(name="General", slug="general")
    corner = Category.objects.create(name="Anonymous corner", slug="corner", allow_anonymous=True)
    quiet = Category.objects.create(name="Quiet", slug="quiet", visibility=Visibility.MEMBERS)
    User.objects.filter(pk=rowan.pk).update(role=Role.MODERATOR)
    rowan.refresh_from_db()
    CategoryModerator.objects.create(category=quiet, member=rowan)
    label = ContentNoteLabel.objects.create(slug="export-test", name="Export test label")

    rowans_thread = start_thread(
        author=rowan, category=general, title="ROWAN-THREAD-TITLE", body="ROWAN-FIRST-VERSION",
        request_key="r1",
    )  # fmt: skip
    first = rowans_thread.posts.get(position=1)
    edit_post(editor=rowan, post=first, body="ROWAN-EDITED-POST", base_revision=1)
    anonymous_thread = start_thread(
        author=rowan, category=corner, title="Hard week", body="ROWAN-ANONYMOUS-POST",
        request_key="r2", anonymous=True,
    )  # fmt: skip
    ashs_reply = reply_to_thread(
        author=ash, thread=anonymous_thread, body="Ash replies", request_key="a1", anonymous=True
    )
    ferns_thread = start_thread(
        author=fern, category=general, title="Fern's thread", body="FERN-VISIBLE-POST",
        request_key="f1",
    )  # fmt: skip
    ferns_post = ferns_thread.posts.get(position=1)
    hidden = reply_to_thread(
        author=fern, thread=ferns_thread, body="FERN-HIDDEN-POST", request_key="f2"
    )
    reply_to_thread(author=fern, thread=rowans_thread, body="Fern replies", request_key="f3")
    rowans_reply = reply_to_thread(
        author=rowan, thread=ferns_thread, body="ROWAN-REPLY", request_key="r3"
    )

    toggle_reaction(member=rowan, post=ferns_post, kind=ReactionKind.HUG)
    toggle_reaction(member=rowan, post=ashs_reply, kind=ReactionKind.HEART)
    set_bookmark_note(member=rowan, post=ferns_post, note="ROWAN-BOOKMARK-NOTE")
    save_post(member=rowan, post=hidden)
    save_post(member=rowan, post=ashs_reply)
    hide_post(moderator=moderator, post=hidden, reason="Off topic")
    follow_thread(member=rowan, thread=ferns_thread, level=FollowLevel.WATCHING)
    follow_category(member=rowan, category=general, level=FollowLevel.TRACKING)
    save_draft(member=rowan, thread=ferns_thread, body="ROWAN-FORUM-DRAFT")
    hold_back(
        author=rowan,
        category=general,
        thread=None,
        title="ROWAN-WAITING-TITLE",
        body="ROWAN-WAITING-POST",
        request_key="w1",
        delay_minutes=10,
    )
    mark_thread_read(member=rowan, thread=ferns_thread, up_to_position=2, known_position=None)
    mark_category_read(member=rowan, category=general)
    set_note_preference(member=rowan, label=label, choice=NoteChoice.HIDE)
    mute_member(member=rowan, target=willow, block=True)
    choose_who_may_start(member=rowan, allow_from=AllowFrom.EVERYONE)
    choices = settings_for(rowan)
    choices.digest = Digest.WEEKLY
    save_settings(member=rowan, choices=choices)

    from_fern = start_conversation(
        starter=fern, recipients=[rowan], title="", body="FERN-WROTE-TO-ROWAN", request_key="c1"
    )
    opened = get_conversation_for_viewer_or_404(rowan, from_fern.pk)
    message = send_message(
        author=rowan, opened=opened, body="ROWAN-FIRST-MESSAGE", request_key="c2"
    )
    edit_message(editor=rowan, message=message, body="ROWAN-EDITED-MESSAGE", base_revision=1)
    drafts.save_message_draft(member=rowan, opened=opened, body="ROWAN-MESSAGE-DRAFT")
    ask_for_message_check_in(writer=rowan, message_id=message.pk, matches=[])
    start_conversation(
        starter=rowan, recipients=[fern], title="", body="ROWAN-STARTED-CONVERSATION",
        request_key="c3",
    )  # fmt: skip
    start_conversation(
        starter=fern, recipients=[willow], title="", body="SECRET-OTHER-CONVERSATION",
        request_key="c4",
    )  # fmt: skip
    left = start_conversation(
        starter=fern, recipients=[rowan], title="", body="LEFT-CONVERSATION-TEXT", request_key="c5"
    )
    leave_conversation(member=rowan, opened=get_conversation_for_viewer_or_404(rowan, left.pk))

    warn_member(moderator=moderator, member=rowan, reason="A warning for Rowan")
    file_report(
        reporter=rowan, reason=ReportReason.OTHER, details="ROWAN-REPORT-DETAILS",
        post_id=ferns_post.pk, thread_id=ferns_thread.pk, category_id=general.pk,
    )  # fmt: skip
    file_report(
        reporter=hazel, reason=ReportReason.UNKIND, details="HAZEL-REPORTS-ROWAN",
        post_id=rowans_reply.pk, thread_id=ferns_thread.pk, category_id=general.pk,
        reported_member=rowan,
    )  # fmt: skip
    send_message_to_moderators(member=rowan, text="ROWAN-TO-THE-MODERATORS")
    DataExport.objects.create(member=rowan)
    AccountDeletion.objects.create(
        member=rowan, posts=PostsChoice.KEEP, due_at=timezone.now() + timedelta(days=7)
    )
    rowans_toolkit = toolkit_filler(rowan, marker=TOOLKIT_MARKER)
    ferns_toolkit = toolkit_filler(fern, marker="FERN-TOOLKIT-MARKER")
    # Check-ins from peers, both ways (the breaks are typed as objects: no toolkit import).
    for asker, helper, toolkit in ((rowan, fern, rowans_toolkit), (fern, rowan, ferns_toolkit)):
        arrange_peer_check_ins(
            asker=asker,
            therapist_break=getattr(toolkit, "therapist_break"),  # noqa: B009
            arrangement=Arrangement(
                names=(helper.username,), days=(timezone.localdate() + timedelta(days=2),)
            ),
        )
    record_sign_up(member=rowan, accepted=None)  # owed a welcome page ...
    mark_welcome_shown(member=rowan)  # ... and shown it
    deliver()

    return Scene(
        rowan=rowan, fern=fern, ash=ash, general=general, rowans_thread=rowans_thread,
        anonymous_thread=anonymous_thread, ferns_thread=ferns_thread, ferns_post=ferns_post,
        ashs_anonymous_reply=ashs_reply,
    )  # fmt: skip


def test_the_scene_gives_the_member_a_row_of_everything_the_export_covers(scene: Scene) -> None:
    from django.apps import apps  # noqa: PLC0415

    missing = []
    for section in SECTIONS:
        for label, fields in section.covers.items():
            model = apps.get_model(label)
            for name in fields:
                if name == "reported_member":
                    found = model._default_manager.filter(
                        reported_member=scene.rowan, kind="check_in"
                    )
                else:
                    found = model._default_manager.filter(**{name: scene.rowan})
                if not found.exists():
                    missing.append(f"{label}.{name}")

    assert missing == []


def test_the_archive_holds_everything_that_is_the_members(scene: Scene) -> None:
    data, page, archive = _archive(scene.rowan, include_toolkit=True)
    document = json.dumps(data, ensure_ascii=False)

    for marker in [*ROWANS, *SEEN_BY_ROWAN, TOOLKIT_MARKER]:
        assert marker in document, marker
        assert marker in page, marker
    assert data["format"] == FORMAT
    assert data["version"] == FORMAT_VERSION
    assert data["generated_at"]
    assert {section.key for section in SECTIONS} <= set(data)
    folder = archive.namelist()[0].split("/")[0]
    assert archive.read(f"{folder}/avatar.png") == PNG
    assert data["profile"]["avatar"] == "avatar.png"
    assert re.findall(r'src="([^"]{0,22})', page) == ["data:image/png;base64,"]  # loads no file


def test_posts_come_as_markdown_and_html_with_every_version(scene: Scene) -> None:
    data, _page, _archive_file = _archive(scene.rowan)

    first = next(post for post in data["posts"] if post["thread"]["id"] == scene.rowans_thread.pk)
    assert first["markdown"] == "ROWAN-EDITED-POST"
    assert first["html"] == "<p>ROWAN-EDITED-POST</p>\n" or "ROWAN-EDITED-POST</p>" in first["html"]
    assert [version["markdown"] for version in first["versions"]] == [
        "ROWAN-FIRST-VERSION",
        "ROWAN-EDITED-POST",
    ]
    anonymous = next(post for post in data["posts"] if post["markdown"] == "ROWAN-ANONYMOUS-POST")
    assert anonymous["anonymous"] is True
    assert anonymous["pseudonym"].startswith("Anonymous ")
    started = {thread["title"]: thread for thread in data["threads"]}
    assert started["Hard week"]["pseudonym"] == anonymous["pseudonym"]
    assert [each["pseudonym"] for each in data["pseudonyms"]] == [anonymous["pseudonym"]]


def test_conversations_hold_every_message_the_member_sees_with_its_author(scene: Scene) -> None:
    data, _page, _archive_file = _archive(scene.rowan)

    with_fern = next(
        each
        for each in data["conversations"]
        if any(message["markdown"] == "FERN-WROTE-TO-ROWAN" for message in each["messages"])
    )
    assert with_fern["with"] == ["Fern"]
    assert [(message["author_name"], message["mine"]) for message in with_fern["messages"]] == [
        ("Fern", False),
        ("Rowan", True),
    ]
    mine = with_fern["messages"][1]
    assert mine["markdown"] == "ROWAN-EDITED-MESSAGE"
    assert "ROWAN-EDITED-MESSAGE" in mine["html"]
    assert "ROWAN-FIRST-MESSAGE" in [version["markdown"] for version in mine["earlier_versions"]]
    assert len(data["conversations"]) == 2  # not the one Rowan left, nor Fern and Willow's


def test_settings_and_sign_in_are_summarised_without_secrets(scene: Scene) -> None:
    data, _page, _archive_file = _archive(scene.rowan)

    account = data["account"]
    assert account["email_addresses"] == [
        {"email": "rowan@example.org", "verified": True, "primary": True}
    ]
    assert [method["type"] for method in account["two_factor_methods"]] == ["totp"]
    assert len(account["signed_in_sessions"]) == 1
    assert set(account["signed_in_sessions"][0]) == {"expires_at"}
    session = Session.objects.first()
    assert session is not None
    assert session.session_key not in json.dumps(data)
    preferences = data["preferences"]
    assert preferences["who_may_message_me"] == "everyone"
    assert preferences["notifications"]["digest"] == "weekly"
    assert {"label": "Export test label", "choice": "hide"} in preferences["content_notes"]
    assert preferences["muted_and_blocked_members"][0]["display_name"] == "Willow"
    assert preferences["followed_categories"] == [{"category": "General", "level": "tracking"}]
    assert data["profile"]["moderates_categories"] == ["Quiet"]
    assert data["reading"]["threads_with_a_read_marker"] == 1
    assert data["data_requests"]["account_deletion"]["posts"] == "keep"


def test_nothing_of_anyone_else_that_the_member_cannot_see_is_in_it(scene: Scene) -> None:
    data, page, _archive_file = _archive(scene.rowan, include_toolkit=True)
    document = json.dumps(data, ensure_ascii=False)

    for marker in NOT_ROWANS:
        assert marker not in document, marker
        assert marker not in page, marker
    saved = {each["post"]["id"]: each["post"] for each in data["saved_posts"]}
    anonymous = saved[scene.ashs_anonymous_reply.pk]
    assert anonymous["author_name"] == scene.ashs_anonymous_reply.author_name
    assert anonymous["author_name"].startswith("Anonymous ")
    assert saved[scene.ferns_post.pk]["excerpt"] == "FERN-VISIBLE-POST"
    assert data["to_the_moderators"]["reports"][0]["details"] == "ROWAN-REPORT-DETAILS"
    assert len(data["to_the_moderators"]["reports"]) == 1


def test_a_notification_names_an_anonymous_writer_by_pseudonym_only(scene: Scene) -> None:
    assert Notification.objects.filter(recipient=scene.rowan).count() >= 2

    data, _page, _archive_file = _archive(scene.rowan)

    headlines = [each["headline"] for each in data["notifications"]["notifications"]]
    pseudonym = scene.ashs_anonymous_reply.author_name
    assert any(pseudonym in headline for headline in headlines), headlines
    assert any("Fern" in headline for headline in headlines), headlines


def test_the_toolkit_is_in_only_when_asked_for(scene: Scene) -> None:
    without, page_without, _archive_without = _archive(scene.rowan)
    with_it, page_with, _archive_with = _archive(scene.rowan, include_toolkit=True)

    assert without["toolkit"] is None
    assert without["includes_toolkit"] is False
    assert TOOLKIT_MARKER not in json.dumps(without) + page_without
    assert with_it["toolkit"]["coping_plan"] is not None
    assert TOOLKIT_MARKER in page_with


def test_the_readable_copy_is_self_contained_and_escapes_what_members_wrote(
    make_member: MakeMember, make_category: Any
) -> None:
    member = make_member(display_name="<i>Rowan</i>", bio="<script>alert('bio')</script>")
    start_thread(
        author=member, category=make_category(), title="<b>title</b>",
        body="<script>alert('post')</script> and *words*", request_key="x",
    )  # fmt: skip

    _data, page, _archive_file = _archive(member)

    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;bio&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;title&lt;/b&gt;" in page
    assert "&lt;i&gt;Rowan&lt;/i&gt;" in page
    assert "<em>words</em>" in page  # the stored, sanitised HTML of the post
    assert "<link" not in page
    assert "src=" not in page
    assert "http" not in page.split("<style>")[1].split("</style>")[0]
    assert "Content-Security-Policy\" content=\"default-src 'none';" in page
