"""The pieces that make busy pages cheap: the fragment cache, ``{% shared %}``, hand-written
SQL read as the ORM would read it, and static URLs worked out once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends import base as cache_base
from django.db import connection
from django.template import TemplateSyntaxError, engines
from django.test import override_settings
from django.utils import timezone, translation
from pytest_django import DjangoAssertNumQueries
from whitenoise.storage import CompressedManifestStaticFilesStorage

from hearth.core import memory_cache
from hearth.core.memory_cache import ProcessMemoryCache, size_of
from hearth.core.raw_rows import ModelColumns
from hearth.core.static_storage import StaticFilesStorage
from hearth.core.templatetags.shared import SharedFragmentMismatchError
from hearth.forum.models import Post, Thread
from hearth.forum.testing import MakeThread

# ProcessMemoryCache


class Clock:
    """A Unix clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Stop the clock of the backend and of Django's BaseCache, which works out expiry times."""
    clock = Clock()
    stopped_time = SimpleNamespace(time=clock)
    monkeypatch.setattr(memory_cache, "time", stopped_time)
    monkeypatch.setattr(cache_base, "time", stopped_time)
    return clock


@pytest.fixture
def cache(clock: Clock, request: pytest.FixtureRequest) -> Iterator[ProcessMemoryCache]:
    """A cache of three entries, its location this test's own (a location's entries are shared)."""
    cache = ProcessMemoryCache(request.node.nodeid, {"TIMEOUT": 60, "OPTIONS": {"MAX_ENTRIES": 3}})
    yield cache
    cache.clear()


def test_the_fragments_cache_is_a_process_memory_cache() -> None:
    assert isinstance(caches["fragments"], ProcessMemoryCache)


def test_get_returns_the_very_object_that_was_set_without_copying_it(
    cache: ProcessMemoryCache,
) -> None:
    value = ("header", ("a tuple", "that a pickled copy would not share"))

    cache.set("fragment", value)

    assert cache.get("fragment") is value
    assert cache.get_many(["fragment"])["fragment"] is value


@pytest.mark.parametrize(
    "mutable", [["a list"], {"a": "dict"}, ("a tuple holding", ["a list"]), {"a set"}]
)
def test_a_value_a_request_could_change_is_refused(
    cache: ProcessMemoryCache, mutable: object
) -> None:
    with pytest.raises(TypeError, match="mutable"):
        cache.set("fragment", mutable)

    assert cache.get("fragment") is None


def test_the_store_is_bounded_in_bytes_dropping_the_least_recently_used(
    request: pytest.FixtureRequest,
) -> None:
    bounded = ProcessMemoryCache(
        request.node.nodeid + "-bytes", {"OPTIONS": {"MAX_BYTES": 10_000, "MAX_ENTRY_BYTES": 5_000}}
    )
    for number in range(10):
        bounded.set(f"post-{number}", "x" * 2_000)
        bounded.get("post-0")  # kept in use

    assert bounded.total_bytes <= 10_000
    assert bounded.get("post-0") is not None
    assert bounded.get("post-1") is None  # the least recently used went first
    assert bounded.get("post-9") is not None


def test_a_value_too_large_for_the_store_is_not_kept(request: pytest.FixtureRequest) -> None:
    bounded = ProcessMemoryCache(
        request.node.nodeid + "-large", {"OPTIONS": {"MAX_BYTES": 10_000, "MAX_ENTRY_BYTES": 5_000}}
    )
    bounded.set("small", "x" * 100)

    bounded.set("huge", "x" * 6_000)

    assert bounded.get("huge") is None
    assert bounded.get("small") is not None


def test_replacing_and_deleting_entries_keeps_the_byte_count_true(
    request: pytest.FixtureRequest,
) -> None:
    bounded = ProcessMemoryCache(request.node.nodeid + "-count", {})
    bounded.set("a", "x" * 1_000)
    bounded.set("a", "x" * 3_000)
    bounded.set("b", "y" * 1_000)

    bounded.delete("b")

    assert bounded.total_bytes == size_of(bounded.make_key("a")) + size_of("x" * 3_000)


def test_an_entry_lives_for_the_default_timeout(cache: ProcessMemoryCache, clock: Clock) -> None:
    cache.set("fragment", "html")

    clock.advance(59)
    assert cache.get("fragment") == "html"
    clock.advance(2)
    assert cache.get("fragment", "gone") == "gone"


def test_an_entry_set_with_a_timeout_expires_after_it(
    cache: ProcessMemoryCache, clock: Clock
) -> None:
    cache.set("fragment", "html", timeout=5)

    clock.advance(4.9)
    assert cache.has_key("fragment")
    clock.advance(0.2)
    assert not cache.has_key("fragment")
    assert cache.get("fragment") is None


def test_an_entry_set_with_no_timeout_never_expires(
    cache: ProcessMemoryCache, clock: Clock
) -> None:
    cache.set("fragment", "html", timeout=None)

    clock.advance(10 * 365 * 24 * 3600)

    assert cache.get("fragment") == "html"


def test_an_entry_set_with_a_zero_timeout_expires_at_once(cache: ProcessMemoryCache) -> None:
    cache.set("fragment", "html", timeout=0)

    assert cache.get("fragment") is None


def test_the_least_recently_read_entry_is_evicted_first(cache: ProcessMemoryCache) -> None:
    cache.set("a", 1)
    cache.set("b", 2)
    cache.set("c", 3)
    cache.get("a")

    cache.set("d", 4)

    assert cache.get_many(["a", "b", "c", "d"]) == {"a": 1, "c": 3, "d": 4}


def test_setting_an_entry_again_makes_it_the_most_recent(cache: ProcessMemoryCache) -> None:
    cache.set("a", 1)
    cache.set("b", 2)
    cache.set("c", 3)
    cache.set("a", 10)

    cache.set("d", 4)

    assert cache.get_many(["a", "b", "c", "d"]) == {"a": 10, "c": 3, "d": 4}


def test_add_stores_a_missing_entry(cache: ProcessMemoryCache) -> None:
    assert cache.add("fragment", "html") is True

    assert cache.get("fragment") == "html"


def test_add_leaves_a_live_entry_alone(cache: ProcessMemoryCache, clock: Clock) -> None:
    cache.set("fragment", "old", timeout=10)
    clock.advance(9)

    assert cache.add("fragment", "new") is False

    assert cache.get("fragment") == "old"


def test_add_replaces_an_expired_entry(cache: ProcessMemoryCache, clock: Clock) -> None:
    cache.set("fragment", "old", timeout=10)
    clock.advance(11)

    assert cache.add("fragment", "new", timeout=10) is True

    assert cache.get("fragment") == "new"
    clock.advance(9)
    assert cache.get("fragment") == "new"


def test_get_many_answers_only_the_live_entries(cache: ProcessMemoryCache, clock: Clock) -> None:
    cache.set("kept", "html")
    cache.set("stored none", None)
    cache.set("expired", "html", timeout=5)
    clock.advance(6)

    found = cache.get_many(["kept", "stored none", "expired", "never set"])

    assert found == {"kept": "html", "stored none": None}


def test_delete_removes_an_entry_and_says_whether_there_was_one(
    cache: ProcessMemoryCache,
) -> None:
    cache.set("fragment", "html")

    assert cache.delete("fragment") is True
    assert cache.delete("fragment") is False
    assert cache.get("fragment") is None


def test_has_key_tells_a_stored_none_from_a_missing_entry(cache: ProcessMemoryCache) -> None:
    cache.set("stored none", None)

    assert cache.has_key("stored none")
    assert not cache.has_key("never set")


def test_touch_gives_a_live_entry_a_new_timeout(cache: ProcessMemoryCache, clock: Clock) -> None:
    cache.set("fragment", "html", timeout=10)
    clock.advance(8)

    assert cache.touch("fragment", timeout=10) is True

    clock.advance(8)
    assert cache.get("fragment") == "html"
    clock.advance(3)
    assert cache.get("fragment") is None


def test_touch_without_a_timeout_uses_the_default_one(
    cache: ProcessMemoryCache, clock: Clock
) -> None:
    cache.set("fragment", "html", timeout=10)

    assert cache.touch("fragment") is True

    clock.advance(59)
    assert cache.get("fragment") == "html"


def test_touch_cannot_revive_a_missing_or_expired_entry(
    cache: ProcessMemoryCache, clock: Clock
) -> None:
    cache.set("fragment", "html", timeout=10)
    clock.advance(11)

    assert cache.touch("fragment", timeout=100) is False
    assert cache.touch("never set") is False
    assert cache.get("fragment") is None


def test_clear_forgets_every_entry(cache: ProcessMemoryCache) -> None:
    cache.set("a", 1)
    cache.set("b", 2)

    cache.clear()

    assert cache.get_many(["a", "b"]) == {}


def test_backends_with_the_same_location_share_their_entries(
    request: pytest.FixtureRequest,
) -> None:
    # Django makes one backend object per thread; they must share what they render.
    location = request.node.nodeid
    one_thread = ProcessMemoryCache(location, {})
    another_thread = ProcessMemoryCache(location, {})
    elsewhere = ProcessMemoryCache(location + " elsewhere", {})
    value = ("header", "body")

    one_thread.set("fragment", value)

    assert another_thread.get("fragment") is value
    assert elsewhere.get("fragment") is None
    one_thread.clear()


def test_keys_may_hold_spaces_and_separators(cache: ProcessMemoryCache) -> None:
    key = "shared:site-header\x1fen\x1fUTC\x1fMy display name"

    cache.set(key, "html")

    assert cache.get(key) == "html"
    assert cache.get("shared:site-header\x1fen\x1fUTC\x1fMy other name") is None


def test_versions_are_separate_entries(cache: ProcessMemoryCache) -> None:
    cache.set("fragment", "version two", version=2)

    assert cache.get("fragment") is None
    assert cache.get("fragment", version=2) == "version two"


# {% shared %}


@pytest.fixture(autouse=True)
def _empty_fragments_cache() -> Iterator[None]:
    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


def render(source: str, context: dict[str, Any] | None = None) -> str:
    """Render ``source`` (with ``shared`` loaded) as a fresh template."""
    return str(engines["django"].from_string("{% load shared %}" + source).render(context))


class RenderCounter:
    """A context value that counts how often a template reads it."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> str:
        self.reads += 1
        return "read"


def test_a_shared_block_is_rendered_once_and_then_reused() -> None:
    counter = RenderCounter()
    source = '{% shared "counted" %}<p>{{ counter }}</p>{% endshared %}'

    with override_settings(HEARTH_CHECK_SHARED_FRAGMENTS=False):
        first = render(source, {"counter": counter})
        second = render(source, {"counter": counter})

    assert first == second == "<p>read</p>"
    assert counter.reads == 1


def test_a_value_not_named_in_the_key_is_not_read_again() -> None:
    source = '{% shared "greeting" %}Hello {{ name }}{% endshared %}'

    with override_settings(HEARTH_CHECK_SHARED_FRAGMENTS=False):
        first = render(source, {"name": "Ada"})
        second = render(source, {"name": "Grace"})

    assert first == "Hello Ada"
    assert second == "Hello Ada"


def test_the_check_renders_again_and_passes_when_nothing_changed() -> None:
    counter = RenderCounter()
    source = '{% shared "counted" %}<p>{{ counter }}</p>{% endshared %}'

    with override_settings(HEARTH_CHECK_SHARED_FRAGMENTS=True):
        first = render(source, {"counter": counter})
        second = render(source, {"counter": counter})

    assert first == second == "<p>read</p>"
    assert counter.reads == 2


def test_the_check_fails_loudly_when_a_value_is_missing_from_the_key() -> None:
    source = '{% shared "greeting" %}Hello {{ name }}{% endshared %}'

    with override_settings(HEARTH_CHECK_SHARED_FRAGMENTS=True):
        render(source, {"name": "Ada"})
        with pytest.raises(SharedFragmentMismatchError, match=r"'greeting'.*name the value"):
            render(source, {"name": "Grace"})


def test_values_named_after_the_name_make_separate_copies() -> None:
    counter = RenderCounter()
    source = '{% shared "greeting" name %}Hello {{ name }}{{ counter }}{% endshared %}'

    with override_settings(HEARTH_CHECK_SHARED_FRAGMENTS=False):
        rendered = [
            render(source, {"name": name, "counter": counter}) for name in ("Ada", "Grace", "Ada")
        ]

    assert rendered == ["Hello Adaread", "Hello Graceread", "Hello Adaread"]
    assert counter.reads == 2


def test_slots_are_filled_on_every_use_and_escaped() -> None:
    source = '{% shared "form" %}<input value="{% slot token %}">{% endshared %}'

    first = render(source, {"token": "<b>one</b>"})
    second = render(source, {"token": "two & three"})

    assert first == '<input value="&lt;b&gt;one&lt;/b&gt;">'
    assert second == '<input value="two &amp; three">'


def test_a_slot_value_that_looks_like_a_slot_marker_is_left_as_it_is() -> None:
    source = '{% shared "pair" %}{% slot first %}|{% slot second %}{% endshared %}'

    rendered = render(source, {"first": "\x00slot1\x00", "second": "\x00slot0\x00"})

    assert rendered == "\x00slot1\x00|\x00slot0\x00"


def test_slots_inside_if_branches_are_filled() -> None:
    source = (
        '{% shared "note" shown %}{% if shown %}<p>{% slot note %}</p>'
        "{% else %}<p>{% slot fallback %}</p>{% endif %}{% endshared %}"
    )

    rendered = [
        render(source, {"shown": shown, "note": note, "fallback": fallback})
        for shown, note, fallback in [
            (True, "<i>first</i>", "unused"),
            (False, "unused", "none yet"),
            (True, "second", "unused"),
        ]
    ]

    assert rendered == ["<p>&lt;i&gt;first&lt;/i&gt;</p>", "<p>none yet</p>", "<p>second</p>"]


def test_the_language_is_part_of_every_key() -> None:
    source = '{% shared "language" %}{% get_current_language as code %}{{ code }}{% endshared %}'

    with override_settings(HEARTH_CHECK_SHARED_FRAGMENTS=False):
        rendered = []
        for language in ("en", "fr", "en"):
            with translation.override(language):
                rendered.append(render(source))

    assert rendered == ["en", "fr", "en"]


def test_the_time_zone_is_part_of_every_key() -> None:
    source = (
        '{% load tz %}{% shared "zone" %}{% get_current_timezone as zone %}{{ zone }}'
        "{% endshared %}"
    )

    with override_settings(HEARTH_CHECK_SHARED_FRAGMENTS=False):
        rendered = []
        for zone in ("Europe/Paris", "America/Chicago", "Europe/Paris"):
            with timezone.override(zone):
                rendered.append(render(source))

    assert rendered == ["Europe/Paris", "America/Chicago", "Europe/Paris"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            '{% shared "outer" %}{% shared "inner" %}x{% endshared %}{% endshared %}',
            "don't nest",
        ),
        ("{% shared greeting %}x{% endshared %}", "needs a quoted name"),
        ("{% shared %}x{% endshared %}", "needs a quoted name"),
        ('{% shared "greeting" %}{% slot %}{% endshared %}', "takes one expression"),
        ('{% shared "greeting" %}{% slot token nonce %}{% endshared %}', "takes one expression"),
    ],
    ids=["nested", "unquoted name", "no name", "slot without expression", "slot with two"],
)
def test_malformed_shared_blocks_are_syntax_errors(source: str, message: str) -> None:
    with pytest.raises(TemplateSyntaxError, match=message):
        render(source)


def test_a_slot_outside_a_shared_block_is_an_error() -> None:
    with pytest.raises(TemplateSyntaxError, match="belongs inside"):
        render("{% slot token %}", {"token": "x"})


# ModelColumns

NAMED_OUT_OF_ORDER = ["note_label_ids", "created_at", "id", "is_deleted", "edited_at", "author"]


def test_columns_keep_the_models_field_order() -> None:
    columns = ModelColumns(Post, NAMED_OUT_OF_ORDER, alias="p")

    assert columns.attnames == [
        "id", "author_id", "created_at", "edited_at", "is_deleted", "note_label_ids",
    ]  # fmt: skip
    assert columns.sql == (
        'p."id", p."author_id", p."created_at", p."edited_at", p."is_deleted", p."note_label_ids"'
    )
    assert len(columns) == 6


@pytest.mark.parametrize(
    ("model", "name"), [(Post, "content_notes"), (Thread, "posts")], ids=["many-to-many", "reverse"]
)
def test_naming_a_field_without_a_column_is_refused(model: type[Post | Thread], name: str) -> None:
    with pytest.raises(ValueError, match=f"not concrete columns of {model.__name__}"):
        ModelColumns(model, ["id", name], alias="x")


def fetch_row(sql: str, *params: int) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def post_row(columns: ModelColumns, post: Post) -> tuple[Any, ...]:
    return fetch_row(
        f'SELECT {columns.sql} FROM "{Post._meta.db_table}" p WHERE p."id" = %s',  # noqa: S608 - names from our models
        post.pk,
    )


@pytest.fixture
def edited_post(make_thread: MakeThread) -> Post:
    """A post whose columns need converting on SQLite: a time, a flag and a JSON list."""
    post = make_thread().posts.get()
    Post.objects.filter(pk=post.pk).update(
        is_deleted=True,
        note_label_ids=[3, 1],
        edited_at=datetime(2025, 3, 14, 12, 30, 15, 123456, tzinfo=UTC),
    )
    return Post.objects.get(pk=post.pk)


def test_values_are_converted_as_the_orm_converts_them(edited_post: Post) -> None:
    columns = ModelColumns(Post, NAMED_OUT_OF_ORDER, alias="p")

    values = columns.values(post_row(columns, edited_post))

    assert values == list(Post.objects.values_list(*columns.attnames).get(pk=edited_post.pk))
    found = dict(zip(columns.attnames, values, strict=True))
    assert found["created_at"] == edited_post.created_at
    assert timezone.is_aware(found["created_at"])
    assert found["edited_at"] == datetime(2025, 3, 14, 12, 30, 15, 123456, tzinfo=UTC)
    assert found["is_deleted"] is True
    assert found["note_label_ids"] == [3, 1]


def test_a_null_column_converts_to_none(make_thread: MakeThread) -> None:
    post = make_thread().posts.get()
    columns = ModelColumns(Post, ["id", "edited_at"], alias="p")

    assert columns.values(post_row(columns, post)) == [post.pk, None]


def test_values_are_read_from_their_place_in_a_joined_row(make_thread: MakeThread) -> None:
    thread = make_thread(title="Long week", locked=True)
    post = thread.posts.get()
    post_columns = ModelColumns(Post, ["id", "created_at"], alias="p")
    thread_columns = ModelColumns(Thread, ["last_post_at", "is_locked", "title"], alias="t")
    row = fetch_row(
        f"SELECT {post_columns.sql}, {thread_columns.sql} "  # noqa: S608 - names from our models
        f'FROM "{Post._meta.db_table}" p '
        f'JOIN "{Thread._meta.db_table}" t ON t."id" = p."thread_id" WHERE p."id" = %s',
        post.pk,
    )

    values = thread_columns.values(row, start=len(post_columns))

    assert values == [thread.title, thread.is_locked, thread.last_post_at]
    assert values == list(Thread.objects.values_list(*thread_columns.attnames).get(pk=thread.pk))
    assert values[1] is True


def test_instance_builds_a_model_with_the_other_fields_deferred(
    edited_post: Post, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    columns = ModelColumns(Post, NAMED_OUT_OF_ORDER, alias="p")

    instance = columns.instance(post_row(columns, edited_post))

    assert isinstance(instance, Post)
    assert instance._state.adding is False
    assert instance._state.db == "default"
    for attname in columns.attnames:
        assert getattr(instance, attname) == getattr(edited_post, attname), attname
    every_column = {field.attname for field in Post._meta.concrete_fields}
    assert instance.get_deferred_fields() == every_column - set(columns.attnames)
    with django_assert_num_queries(1):
        assert instance.body == edited_post.body


# StaticFilesStorage

HASHED_NAMES = {
    "hearth/hearth.css": "hearth/hearth.0123456789ab.css",
    "hearth/print.css": "hearth/print.ba9876543210.css",
}


@pytest.fixture
def parent_url_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, bool]]:
    """Record each call of WhiteNoise's ``url()`` (a third-party method) and answer as it would."""
    calls: list[tuple[str | None, bool]] = []
    parent_url: Callable[..., str] = CompressedManifestStaticFilesStorage.url

    def recording_url(storage: object, name: str | None, force: bool = False) -> str:
        calls.append((name, force))
        return parent_url(storage, name, force)

    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", recording_url)
    return calls


@pytest.fixture
def static_storage(tmp_path: Path) -> StaticFilesStorage:
    """The storage over a collected directory whose manifest names one hashed file."""
    manifest = {"version": "1.1", "hash": "0", "paths": HASHED_NAMES}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticFilesStorage(location=str(tmp_path), base_url="/static/")


def test_a_static_url_is_worked_out_once(
    static_storage: StaticFilesStorage, parent_url_calls: list[tuple[str | None, bool]]
) -> None:
    first = static_storage.url("hearth/hearth.css")
    second = static_storage.url("hearth/hearth.css")

    assert first == second == "/static/hearth/hearth.0123456789ab.css"
    assert parent_url_calls == [("hearth/hearth.css", False)]


def test_each_name_and_force_flag_is_worked_out_separately(
    static_storage: StaticFilesStorage, parent_url_calls: list[tuple[str | None, bool]]
) -> None:
    for _ in range(2):
        static_storage.url("hearth/hearth.css")
        static_storage.url("hearth/hearth.css", force=True)
        static_storage.url("hearth/print.css", force=True)

    assert parent_url_calls == [
        ("hearth/hearth.css", False),
        ("hearth/hearth.css", True),
        ("hearth/print.css", True),
    ]


def test_a_name_missing_from_the_manifest_fails_every_time(
    static_storage: StaticFilesStorage, parent_url_calls: list[tuple[str | None, bool]]
) -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            static_storage.url("hearth/missing.css")

    assert len(parent_url_calls) == 2
