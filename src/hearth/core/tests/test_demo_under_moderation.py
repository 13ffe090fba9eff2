"""The demo community loads and is served whatever the moderation settings (issue: with
HEARTH_HOLD_FIRST_POSTS=1 the demo stopped at "This thread is waiting for a moderator")."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from hearth.core.tests.serving import free_port, hearth_serving
from hearth.core.tests.test_configuration import run_hearth

# Run in a clean environment (SQLite in its own data directory) whichever database the
# suite uses: the PostgreSQL pass would only repeat it.
pytestmark = pytest.mark.database_neutral

# Every moderation setting away from its default.
STRICT_MODERATION = {
    "HEARTH_HOLD_FIRST_POSTS": "1",
    "HEARTH_REPORT_TARGET_HOURS": "1",
    "HEARTH_CHECK_IN_TARGET_HOURS": "1",
    "HEARTH_MODERATION_HOURS": "mon-fri 09:00-17:00",
    "HEARTH_MODERATION_TIME_ZONE": "America/New_York",
    "HEARTH_POST_RATE_LIMIT": "1/600",
    "HEARTH_ACTION_RATE_LIMIT": "1/600",
    "HEARTH_SIGNUP_OPEN": "false",
}
DEMO_TITLE = "Missing your therapist: what the missing is made of"


def _sign_in_and_read(base: str, path: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/accounts/login/", timeout=10) as response:
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, "the sign-in form has a CSRF token"
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "login": "harbour", "password": "hearth-demo"}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - our own 127.0.0.1 server
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    with opener.open(request, timeout=10) as response:
        assert response.status == 200
    with opener.open(f"{base}{path}", timeout=10) as response:
        return str(response.read().decode())


def test_the_demo_loads_and_is_served_with_first_posts_held_and_strict_moderation(
    tmp_path: Path,
) -> None:
    assert run_hearth("init", data_dir=tmp_path, environment=STRICT_MODERATION).returncode == 0

    demo = run_hearth("demo", data_dir=tmp_path, environment=STRICT_MODERATION)

    assert demo.returncode == 0, demo.stderr
    counts = run_hearth(
        "shell",
        "-c",
        "from hearth.forum.models import Post, Thread; "
        "print(Post.objects.filter(is_held=True).count(), "
        "Thread.objects.filter(is_held=True).count(), Post.objects.count())",
        data_dir=tmp_path,
        environment=STRICT_MODERATION,
    )
    held_posts, held_threads, posts = map(int, counts.stdout.split()[-3:])
    assert (held_posts, held_threads) == (0, 0)
    assert posts > 10
    port = free_port()
    environment = {
        "HEARTH_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "SITE_URL": f"http://127.0.0.1:{port}",
        **STRICT_MODERATION,
    }
    with hearth_serving(environment, port=port) as served:
        base = served.base
        home = _sign_in_and_read(base, "/")
        assert DEMO_TITLE in home
        thread_path = re.search(r'href="(/t/\d+/)"[^>]*>' + re.escape(DEMO_TITLE), home)
        assert thread_path, "the home page links the demo article"
        thread = _sign_in_and_read(base, thread_path.group(1))
        assert "Original Post" in thread
        assert "Waiting for a moderator" not in thread
