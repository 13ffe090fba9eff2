"""The ``spirit`` part of ``make bench``: Hearth's thread page beside django-spirit's.

Issue 19's yardstick: Hearth's signed-in thread page against the fastest other Django
forum's, django-spirit 0.14.3, measured in the same run, on the same PostgreSQL, with
the same thread text and as many workers. What it takes:

- **A venv of spirit's own**, made with a Python spirit supports (found as the Makefile
  finds one, ``scripts/find-python``) and installed from the package index with exact
  versions (``REQUIREMENTS``), under ``~/.cache/hearth-bench/spirit-<version>/``: a
  later run finds it there and installs nothing (``installed.json`` names what it
  holds; a venv without it, say an install cut short, is made again).
- **A site**, in the run's work directory: ``spirit startproject`` (spirit's own
  production settings template), a settings module importing its ``settings/prod.py``
  and setting only what a deployment must (database, secret key, host, site URL) plus
  persistent database connections, as Hearth's; its own database on the run's
  PostgreSQL cluster; ``manage.py spiritinstall`` (migrations, cache tables, static
  files).
- **The same thread**: the texts and authors of Hearth's 200-reply thread, read from
  Hearth's database, so the very text the data set's seeded generator wrote. A script
  run inside spirit's venv (``LOADER_SCRIPT``) posts each through spirit's own
  ``CommentForm`` and ``comment_posted``, as its views do, signs the reader in, and
  counts each audience's queries for the first page with Django's test client.
- **gunicorn**, 2 sync workers on 127.0.0.1, in its own process group, always stopped.

Then Hearth's signed-in first page, spirit's anonymous and spirit's signed-in one are
each warmed up, and measured in ``ROUNDS`` rounds, in turn, the order reversed every
other round, so a drift of the machine weighs on all three alike. A failure anywhere
(no network, no suitable Python, spirit refusing to start) is reported as "not
measured: <reason>" and the run goes on.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import load, report
from bench.server import (
    HearthServer,
    PostgresCluster,
    free_port,
    stop_group,
    wait_until_answering,
)

VERSION = "0.14.3"
# Exact versions, so every run measures the same stack; the cached venv is keyed by them.
# spirit 0.14.3 wants Django >= 4.2, < 6: 5.2 is the newest it accepts.
REQUIREMENTS = (
    f"django-spirit=={VERSION}",
    "Django==5.2.19",
    "gunicorn==27.0.1",
    "psycopg[binary]==3.3.9",
)
# The Pythons those versions support (Django 5.2 from 3.10; the newest spirit was tried on).
OLDEST_PYTHON = (3, 10)
NEWEST_PYTHON = (3, 13)
WORKERS = 2
ROUNDS = 3
PROJECT = "spiritsite"
SETTINGS_MODULE = "bench_spirit_settings"
DATABASE = "spirit"
REPOSITORY = Path(__file__).resolve().parent.parent
# What finding a Python and the package installer may need from the caller's environment:
# pyenv's, pip's own settings, proxies and certificate bundles. Nothing else reaches spirit.
INSTALLER_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYENV_ROOT", "PYENV_VERSION")
INSTALLER_PREFIXES = ("PIP_",)
INSTALLER_SUFFIXES = ("_PROXY", "_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR", "CA_BUNDLE")
SITE_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
INSTALL_TIMEOUT_SECONDS = 900
SETUP_TIMEOUT_SECONDS = 600


class SpiritUnavailableError(Exception):
    """spirit cannot be measured in this run; the message says why."""


@dataclass(frozen=True)
class Post:
    author: str  # a username
    body: str  # Markdown source, as its author wrote it


@dataclass(frozen=True)
class Thread:
    """What spirit is loaded with: one thread's title and posts, and who reads it."""

    title: str
    reader: str
    posts: list[Post]


@dataclass(frozen=True)
class HearthPage:
    """Hearth's side: its thread's first page, as the signed-in reader gets it."""

    origin: str
    path: str
    cookie: str
    body_bytes: int
    queries: int


@dataclass(frozen=True)
class Site:
    """spirit, installed and loaded: where its project lives and what the loader said."""

    root: Path
    python: Path
    topic_path: str
    session_cookie: str  # "name=value": the reader's session
    logout_path: str  # on the page only when signed in
    queries: dict[str, int]  # the first page's, by audience


def not_measured(reason: str) -> report.SpiritComparison:
    """The comparison's record when spirit was not measured, with why."""
    return report.SpiritComparison(version=VERSION, not_measured=reason)


def installer_environment(environment: Mapping[str, str]) -> dict[str, str]:
    """What of ``environment`` the package installer gets: see INSTALLER_VARIABLES."""
    return {
        name: value
        for name, value in environment.items()
        if name in INSTALLER_VARIABLES
        or name.startswith(INSTALLER_PREFIXES)
        or name.endswith(INSTALLER_SUFFIXES)
    }


def thread_from_hearth(thread_id: int, *, reader: str) -> Thread:
    """Hearth's thread ``thread_id`` as spirit is loaded with it: title, authors, texts."""
    from hearth.forum.models import Post as HearthPost  # noqa: PLC0415 - Django is set up
    from hearth.forum.models import Thread as HearthThread  # noqa: PLC0415

    title = HearthThread.objects.values_list("title", flat=True).get(pk=thread_id)
    rows = (
        HearthPost.objects.filter(thread_id=thread_id)
        .order_by("position")
        .values_list("author__username", "author_name", "body")
    )
    posts = [Post(author=username or name, body=body) for username, name, body in rows]
    return Thread(title=title, reader=reader, posts=posts)


def thread_document(thread: Thread) -> str:
    """The loader's input (``LOADER_SCRIPT``), as JSON."""
    return json.dumps(
        {
            "title": thread.title,
            "reader": thread.reader,
            "posts": [{"author": post.author, "body": post.body} for post in thread.posts],
        }
    )


def settings_module(*, cluster: PostgresCluster, secret_key: str, origin: str) -> str:
    """The settings module spirit runs with: its production template's, pointed at the
    run's cluster. Values are written with ``repr``, so any path or key is safe."""
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE,
        "USER": cluster.user,
        "HOST": str(cluster.host),
        "PORT": str(cluster.port),
        # Hearth's connections persist (CONN_MAX_AGE), so spirit's do too: a connection
        # per request would measure PostgreSQL's start-up, not spirit.
        "CONN_MAX_AGE": 600,
    }
    return f'''"""django-spirit {VERSION} as the benchmark serves it (written by bench/spirit.py).

Its project template's production settings (``spirit startproject``), with only what a
deployment must set, persistent database connections as Hearth has, and no email
leaving the machine.
"""

from {PROJECT}.settings.prod import *  # noqa: F403

SECRET_KEY = {secret_key!r}
ALLOWED_HOSTS = ["127.0.0.1"]
ST_SITE_URL = {origin + "/"!r}
DATABASES = {{"default": {database!r}}}
ADMINS = []
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
'''


LOADER_SCRIPT = '''"""Load the benchmark's thread into django-spirit (written by bench/spirit.py).

Run inside spirit's venv with its settings: ``python load_thread.py THREAD_JSON``.
Each post goes through spirit's own ``CommentForm`` (its Markdown rendering) and
``comment_posted`` (counters, notifications, unread marks), as its publish views do;
the reader is signed in with Django's session machinery. Prints one JSON line: the
topic's path, the reader's session cookie, the sign-out path, and each audience's
queries for the topic's first page (Django's test client, after a first visit).
"""

import json
import sys
from pathlib import Path

import django

django.setup()

from django.conf import settings  # noqa: E402 - after django.setup()
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from spirit.category.models import Category  # noqa: E402
from spirit.comment.forms import CommentForm  # noqa: E402
from spirit.comment.utils import comment_posted  # noqa: E402
from spirit.topic.models import Topic  # noqa: E402


def queries_of(client, path):
    client.get(path)  # the first view writes the bookmark and unread marks
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}, not 200")
    return len(captured)


def main(source):
    thread = json.loads(Path(source).read_text())
    usernames = sorted({post["author"] for post in thread["posts"]} | {thread["reader"]})
    users = {
        username: get_user_model().objects.create_user(
            username=username, email=f"{username}@bench.invalid", password=None
        )
        for username in usernames
    }
    category = Category.objects.create(
        title="Benchmark", description="Threads written by Hearth's benchmark harness."
    )
    topic = Topic.objects.create(
        user=users[thread["posts"][0]["author"]], category=category, title=thread["title"]
    )
    for post in thread["posts"]:
        form = CommentForm(user=users[post["author"]], topic=topic, data={"comment": post["body"]})
        if not form.is_valid():
            raise SystemExit(f"spirit refused a post: {form.errors.as_text()}")
        comment_posted(comment=form.save(), mentions=form.mentions)
    path = topic.get_absolute_url()
    reader = Client(SERVER_NAME="127.0.0.1")
    reader.force_login(users[thread["reader"]])
    session = reader.cookies[settings.SESSION_COOKIE_NAME].value
    queries = {
        "anonymous": queries_of(Client(SERVER_NAME="127.0.0.1"), path),
        "member": queries_of(reader, path),
    }
    print(json.dumps({
        "topic_path": path,
        "session_cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
        "logout_path": reverse("spirit:user:auth:logout"),
        "queries": queries,
        "comments": topic.comment_set.count(),
    }))


main(sys.argv[1])
'''


def cache_directory() -> Path:
    """Where spirit's venv is kept between runs, by version."""
    return Path.home() / ".cache" / "hearth-bench" / f"spirit-{VERSION}"


def find_python(environment: Mapping[str, str]) -> str:
    """A Python spirit supports, found as the Makefile finds one (``scripts/find-python``);
    raises SpiritUnavailableError when there is none."""
    found = _run(
        [str(REPOSITORY / "scripts" / "find-python")],
        what="scripts/find-python", environment=environment, timeout=60,
    ).strip()  # fmt: skip
    version = _run(
        [found, "-c", "import sys; print(*sys.version_info[:2])"],
        what=f"{found} --version", environment=environment, timeout=60,
    ).split()  # fmt: skip
    major, minor = int(version[0]), int(version[1])
    if not OLDEST_PYTHON <= (major, minor) <= NEWEST_PYTHON:
        message = (
            f"{found} is Python {major}.{minor}; spirit {VERSION} needs Django < 6, which runs "
            f"on Python {'.'.join(map(str, OLDEST_PYTHON))} to "
            f"{'.'.join(map(str, NEWEST_PYTHON))}"
        )
        raise SpiritUnavailableError(message)
    return found


def ensure_venv(environment: Mapping[str, str], *, say: Callable[[str], None]) -> Path:
    """spirit's venv, made and installed unless a run before left a complete one."""
    directory = cache_directory()
    venv = directory / "venv"
    marker = directory / "installed.json"
    wanted = {"requirements": list(REQUIREMENTS)}
    python = venv / "bin" / "python"
    if _installed(marker) == wanted and python.exists():
        say(f"django-spirit {VERSION}: using the venv in {venv}")
        return venv
    interpreter = find_python(environment)
    say(f"django-spirit {VERSION}: installing it into {venv} with {interpreter} (kept)")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    _run([interpreter, "-m", "venv", str(venv)], what="python -m venv", environment=environment)
    _run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--timeout", "20", "--retries", "1", *REQUIREMENTS],
        what="pip install", environment=environment, timeout=INSTALL_TIMEOUT_SECONDS,
    )  # fmt: skip
    marker.write_text(json.dumps(wanted) + "\n")  # last: its presence means complete
    return venv


def _installed(marker: Path) -> object:
    """What ``installed.json`` says the venv holds (None: nothing complete)."""
    try:
        return json.loads(marker.read_text())
    except (OSError, ValueError):
        return None


def site_environment(environment: Mapping[str, str], root: Path, venv: Path) -> dict[str, str]:
    """The environment spirit's commands and server run with: their own settings and path."""
    kept = {name: environment[name] for name in SITE_VARIABLES if name in environment}
    return kept | {
        "PATH": f"{venv / 'bin'}:{kept.get('PATH', '/usr/bin:/bin')}",  # spirit runs django-admin
        "PYTHONPATH": str(root),
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
    }


def set_up_site(
    venv: Path,
    *,
    cluster: PostgresCluster,
    root: Path,
    thread: Thread,
    origin: str,
    environment: Mapping[str, str],
    say: Callable[[str], None],
) -> Site:
    """Make spirit's project in ``root``, its database, and load the thread into it."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    site_env = site_environment(environment, root, venv)
    say(f"django-spirit {VERSION}: creating its site and database")
    _run(
        [str(venv / "bin" / "spirit"), "startproject", PROJECT, "--path", str(root)],
        what="spirit startproject", environment=site_env, cwd=root,
    )  # fmt: skip
    (root / f"{SETTINGS_MODULE}.py").write_text(
        settings_module(cluster=cluster, secret_key=secrets.token_urlsafe(50), origin=origin)
    )
    try:
        cluster.create_database(DATABASE)
    except Exception as error:  # whatever the cluster says, spirit is not measured: say why
        raise SpiritUnavailableError(f"creating its database failed: {error}") from error
    python = venv / "bin" / "python"
    _run(
        [str(python), "manage.py", "spiritinstall"],
        what="manage.py spiritinstall", environment=site_env, cwd=root,
        timeout=SETUP_TIMEOUT_SECONDS,
    )  # fmt: skip
    say(f"django-spirit {VERSION}: loading {len(thread.posts)} posts through its forms")
    (root / "thread.json").write_text(thread_document(thread))
    (root / "load_thread.py").write_text(LOADER_SCRIPT)
    output = _run(
        [str(python), "load_thread.py", "thread.json"],
        what="loading the thread", environment=site_env, cwd=root, timeout=SETUP_TIMEOUT_SECONDS,
    )  # fmt: skip
    loaded = json.loads(output.strip().splitlines()[-1])
    if loaded["comments"] != len(thread.posts):
        message = f"spirit holds {loaded['comments']} comments, not {len(thread.posts)}"
        raise SpiritUnavailableError(message)
    return Site(
        root=root,
        python=python,
        topic_path=loaded["topic_path"],
        session_cookie=loaded["session_cookie"],
        logout_path=loaded["logout_path"],
        queries=loaded["queries"],
    )


@contextmanager
def gunicorn(
    venv: Path, *, site: Site, port: int, environment: Mapping[str, str], log_path: Path
) -> Iterator[HearthServer]:
    """Serve spirit with gunicorn (``WORKERS`` sync workers, 127.0.0.1 only) in its own
    process group, stopped whole on the way out; wait until its topic page answers."""
    command = [
        str(venv / "bin" / "gunicorn"),
        "--workers", str(WORKERS),
        "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}",
        "--chdir", str(site.root),
        f"{PROJECT}.wsgi:application",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=site_environment(environment, site.root, venv),
            cwd=site.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # one signal stops the master and its workers
        )
    server = HearthServer(process=process, origin=f"http://127.0.0.1:{port}", log_path=log_path)
    try:
        wait_until_answering(server, site.topic_path, 200)
        yield server
    finally:
        stop_group(process)


def compare(
    arguments: argparse.Namespace,
    *,
    cluster: PostgresCluster,
    work: Path,
    thread: Thread,
    hearth: HearthPage,
    page_script: Path,
    environment: Mapping[str, str],
    say: Callable[[str], None],
) -> report.SpiritComparison:
    """Install (or reuse), load and serve spirit, then measure it beside Hearth's page.

    Never raises but for Ctrl-C: spirit is a guest in this run, and whatever goes wrong
    with it must not cost the run Hearth's own figures; the record says why instead.
    """
    started = time.perf_counter()
    port = free_port()
    try:
        venv = ensure_venv(installer_environment(environment), say=say)
        site = set_up_site(
            venv, cluster=cluster, root=work, thread=thread, origin=f"http://127.0.0.1:{port}",
            environment=environment, say=say,
        )  # fmt: skip
        with gunicorn(
            venv, site=site, port=port, environment=environment, log_path=work / "gunicorn.log"
        ) as server:
            visitors = _first_visits(server, site)
            setup_seconds = time.perf_counter() - started
            rows = _measure_in_rounds(
                arguments, hearth=hearth, server=server, site=site, visitors=visitors,
                page_script=page_script, say=say,
            )  # fmt: skip
            memory = server.worker_memory()
    except Exception as error:  # anything at all: see the docstring
        reason = str(error) if isinstance(error, SpiritUnavailableError) else _describe(error)
        say(f"django-spirit {VERSION}: not measured: {reason}")
        return not_measured(reason)
    return comparison(
        rows,
        setup_seconds=setup_seconds,
        worker_rss_mib=max((worker.rss_bytes for worker in memory), default=0) / report.MIB,
        # Its side of the story when a request failed (bench.run keeps it with the record).
        server_log=str(work / "gunicorn.log") if any(row.errors for row in rows) else "",
    )


def comparison(
    rows: list[report.Row], *, setup_seconds: float, worker_rss_mib: float, server_log: str
) -> report.SpiritComparison:
    """The record of a measured comparison: the rows, and Hearth's requests/s over each
    of spirit's."""
    hearth = next(row for row in rows if row.kind != "spirit")
    spirit_rates = {row.audience: row.requests_per_second for row in rows if row.kind == "spirit"}

    def over(audience: str) -> float | None:
        rate = spirit_rates.get(audience, 0.0)
        return hearth.requests_per_second / rate if rate else None

    return report.SpiritComparison(
        version=VERSION,
        not_measured="",
        rows=rows,
        rounds=ROUNDS,
        setup_seconds=setup_seconds,
        hearth_over_anonymous=over("anonymous"),
        hearth_over_member=over("member"),
        worker_rss_mib=worker_rss_mib,
        server_log=server_log,
    )


@dataclass(frozen=True)
class _Scenario:
    key: str
    name: str
    audience: str
    kind: str
    url: str
    cookie: str
    body_bytes: int
    queries: int


def _first_visits(server: HearthServer, site: Site) -> dict[str, tuple[str, int]]:
    """Visit the topic once per audience, as a browser would, keeping its cookies (the CSRF
    cookie spirit sets); check each is served as intended. Answer the Cookie header and
    the page's size, by audience."""
    visitors = {}
    for audience, cookie in (("anonymous", ""), ("member", site.session_cookie)):
        page = load.fetch(server.port, site.topic_path, cookie)
        if page.status != 200:
            message = f"spirit's {site.topic_path} answered {page.status} to the {audience}"
            raise SpiritUnavailableError(message)
        signed_in = site.logout_path.encode() in page.body
        if signed_in != (audience == "member"):
            message = f"spirit's {site.topic_path} was not served as a {audience} would see it"
            raise SpiritUnavailableError(message)
        held = dict(pair.split("=", 1) for pair in filter(None, [cookie])) | page.set_cookies
        visitors[audience] = (
            "; ".join(f"{name}={value}" for name, value in held.items()),
            len(page.body),
        )
    return visitors


def _measure_in_rounds(
    arguments: argparse.Namespace,
    *,
    hearth: HearthPage,
    server: HearthServer,
    site: Site,
    visitors: dict[str, tuple[str, int]],
    page_script: Path,
    say: Callable[[str], None],
) -> list[report.Row]:
    """Warm each page up, then measure them in turn, round by round, for --duration
    seconds each in all; the order is reversed every other round."""
    scenarios = [
        _Scenario(
            key="spirit-hearth-member",
            name="Hearth thread page 1, in rounds with spirit",
            audience="member", kind="thread", url=hearth.origin + hearth.path,
            cookie=hearth.cookie, body_bytes=hearth.body_bytes, queries=hearth.queries,
        ),
        *(
            _Scenario(
                key=f"spirit-{audience}",
                name=f"django-spirit {VERSION} thread page 1",
                audience=audience, kind="spirit", url=server.origin + site.topic_path,
                cookie=visitors[audience][0], body_bytes=visitors[audience][1],
                queries=site.queries[audience],
            )
            for audience in ("anonymous", "member")
        ),
    ]  # fmt: skip
    for scenario in scenarios:
        if arguments.warmup:
            _load(arguments, scenario, arguments.warmup, page_script)
    seconds = max(1, arguments.duration // ROUNDS)
    runs: dict[str, list[load.WrkResult]] = {scenario.key: [] for scenario in scenarios}
    for round_number in range(ROUNDS):
        say(f"measuring Hearth and django-spirit in turn, round {round_number + 1} of {ROUNDS}")
        in_order = scenarios if round_number % 2 == 0 else scenarios[::-1]
        for scenario in in_order:
            runs[scenario.key].append(_load(arguments, scenario, seconds, page_script))
    return [_row(scenario, runs[scenario.key]) for scenario in scenarios]


def _load(
    arguments: argparse.Namespace, scenario: _Scenario, seconds: int, page_script: Path
) -> load.WrkResult:
    return load.load_page(
        scenario.url, cookie=scenario.cookie, seconds=seconds,
        connections=arguments.connections, threads=arguments.threads, script=page_script,
    )  # fmt: skip


def _row(scenario: _Scenario, runs: list[load.WrkResult]) -> report.Row:
    """One row from a page's rounds: their requests over their time; the latencies are the
    median round's."""
    requests = sum(run.requests for run in runs)
    seconds = sum(run.seconds for run in runs)
    return report.Row(
        key=scenario.key,
        name=scenario.name,
        audience=scenario.audience,
        kind=scenario.kind,
        requests_per_second=requests / seconds if seconds else 0.0,
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
        body_bytes=scenario.body_bytes,
        queries=scenario.queries,
        errors=sum(run.errors for run in runs),
        requests=requests,
    )


def _run(
    command: list[str],
    *,
    what: str,
    environment: Mapping[str, str],
    cwd: Path | None = None,
    timeout: int = 120,
) -> str:
    """Run ``command``; answer its standard output. Raises SpiritUnavailableError with the end
    of its output when it fails, cannot start or takes longer than ``timeout`` seconds."""
    try:
        result = subprocess.run(
            command, env=dict(environment), cwd=cwd, capture_output=True, text=True,
            check=False, timeout=timeout,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as error:
        message = f"{what}: {_describe(error)}"
        raise SpiritUnavailableError(message) from error
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        # pip's retries warn at length before it says what failed: its errors, if any.
        errors = [line for line in output if line.startswith("ERROR")]
        message = f"{what} failed ({result.returncode}): " + " | ".join((errors or output)[-2:])
        raise SpiritUnavailableError(message)
    return result.stdout


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".splitlines()[0]
