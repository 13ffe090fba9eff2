"""The production recipe (docs/deploying.md), run for real: two machines behind nginx.

A fresh virtual environment gets Hearth installed from this checkout, as the
page says. Two "machines" (each its own data directory, sharing PostgreSQL,
Redis and an S3-compatible store) run the page's web and live units; one runs
the worker; nginx runs the page's configuration in front of both. Then members
use the site through each machine and through the proxy:

- a session made through one machine is signed in on the other;
- a reply posted through one is read through the other, and reaches the live
  streams open on both, once each, and a stream opened through nginx;
- a rate limit is counted once across both (concurrent posts through each);
- the worker's notification reaches the thread's author;
- an avatar uploaded through one is served through the other, from the bucket.

Then the page's health checks, upgrade, backup unit, cron line and pruning
script run, and Caddy's configuration is validated. Runs in its own step of
``make test`` (scripts/test-all), against PostgreSQL.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from PIL import Image

from hearth.core.tests.object_store import ACCESS_KEY, BUCKET, SECRET_KEY, throwaway_bucket
from hearth.core.tests.redis_server import throwaway_redis
from hearth.core.tests.serving import free_port, wait_healthy
from hearth.operations.tests import recipe

pytestmark = pytest.mark.recipe

REPOSITORY = recipe.DEPLOYING.parents[1]
POSTS_PER_WINDOW = 5
PROFILE = "/settings/profile/"
MEMBER_PASSWORD = "hearth-demo"  # hearth demo's published password


def _required(program: str) -> str:
    found = shutil.which(program) or (
        f"/usr/sbin/{program}" if Path(f"/usr/sbin/{program}").exists() else None
    )
    if found is None:
        pytest.skip(f"{program} is not installed (.ci/run installs it)")
    return found


@dataclass
class Machine:
    name: str
    data_dir: Path
    env_file: Path
    admin: Path
    pages_port: int
    live_port: int

    @property
    def pages(self) -> str:
        return f"http://127.0.0.1:{self.pages_port}"


@dataclass
class Site:
    """What the job built: paths, ports, and the processes to stop."""

    work: Path
    venv: Path
    certificate: Path
    key: Path
    https_port: int
    http_port: int
    machines: list[Machine]
    environment: dict[str, str]
    substitutions: recipe.Substitutions
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def site_url(self) -> str:
        return f"https://localhost:{self.https_port}"

    def shell(self, command: str, machine: Machine | None = None) -> str:
        """Run one of the page's command lines (substituted) with sh, as the page would."""
        machine = machine or self.machines[0]
        command = self.substitutions.apply(command).replace(
            str(self.machines[0].admin), str(machine.admin)
        )
        done = subprocess.run(  # noqa: S603 - the page's own commands
            ["/bin/sh", "-c", command],
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self, command: str, machine: Machine, log: str) -> None:
        """Start a unit's ExecStart (substituted) with that machine's environment file."""
        environment = {
            "PATH": os.environ["PATH"],
            **recipe.environment_file(machine.env_file.read_text()),
        }
        output = (self.work / f"{log}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - the page's own commands
            shlex.split(command),
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


class Browser:
    """A member's browser, speaking to one address with the site's own Host.

    Straight to a machine it sends what nginx would add (``X-Forwarded-Proto``);
    cookies are kept by hand, since the site's are ``Secure`` and these requests
    to a machine are plain HTTP, as the proxy's are.
    """

    def __init__(self, site: Site, base: str) -> None:
        self.site = site
        self.base = base
        self.cookies: dict[str, str] = {}

    def at(self, base: str) -> Browser:
        """The same browser (same cookies) reaching the site through another address."""
        other = Browser(self.site, base)
        other.cookies = self.cookies
        return other

    def _connection(self) -> http.client.HTTPConnection:
        parts = urlsplit(self.base)
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=str(self.site.certificate))
            return http.client.HTTPSConnection(
                parts.hostname or "", parts.port, timeout=30, context=context
            )
        return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        sent = {
            "Host": f"localhost:{self.site.https_port}",
            "X-Forwarded-Proto": "https",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                self.cookies[cookie_name] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path)

    def follow(self, location: str) -> tuple[int, dict[str, str], str]:
        """GET ``location`` and the site's own redirects from it, as a browser would."""
        for _ in range(5):
            parts = urlsplit(location)
            status, headers, text = self.get(
                parts.path + (f"?{parts.query}" if parts.query else "")
            )
            if status not in {301, 302, 303} or urlsplit(headers["location"]).netloc not in {
                "",
                f"localhost:{self.site.https_port}",
            }:
                return status, headers, text
            location = headers["location"]
        raise AssertionError(f"too many redirects from {location}")

    def post(self, path: str, fields: dict[str, str], page: str) -> tuple[int, dict[str, str], str]:
        """Submit a form found on ``page`` (its CSRF token), as a browser on the site would."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the page"
        body = urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.site.site_url,
            "Referer": f"{self.site.site_url}{path}",
        }
        return self.request("POST", path, body, headers)

    def sign_in(self, username: str) -> None:
        status, _, page = self.get("/accounts/login/")
        assert status == 200
        status, _, _ = self.post(
            "/accounts/login/", {"login": username, "password": MEMBER_PASSWORD}, page
        )
        assert status == 302, f"signing in as {username} gave {status}"


class Stream:
    """``/live/`` read as a browser's EventSource would, in a thread of its own."""

    def __init__(self, browser: Browser, query: str) -> None:
        self.events: list[tuple[str, str]] = []
        connection = browser._connection()
        headers = {
            "Host": f"localhost:{browser.site.https_port}",
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
        }
        connection.request("GET", f"/live/{query}", headers=headers)
        self.response = connection.getresponse()
        assert self.response.status == 200
        self.connection = connection
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        pending = b""
        try:
            while chunk := self.response.read1(4096):
                pending += chunk
                while b"\n\n" in pending:
                    block, pending = pending.split(b"\n\n", 1)
                    fields = dict(
                        line.split(": ", 1) for line in block.decode().splitlines() if ": " in line
                    )
                    if "id" in fields:
                        self.events.append((fields["id"], fields.get("data", "")))
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            return  # closed (close() shuts the socket down under the read)

    def wait_for_events(self, count: int, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while len(self.events) < count:
            assert time.monotonic() < deadline, f"only {self.events} arrived"
            time.sleep(0.05)

    def close(self) -> None:
        if self.connection.sock is not None:
            self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.reader.join(timeout=5)
        self.connection.close()


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    certificate, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            _required("openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


def _install(work: Path, substitutions: recipe.Substitutions) -> None:
    """The page's install block: the venv and pip lines run, the rest as NOT_RUN_COMMANDS says."""
    for command in recipe.block("as root: a user, the code and its virtual environment").commands():
        if recipe.program_of(command) in recipe.NOT_RUN_COMMANDS:
            continue
        done = subprocess.run(  # noqa: S603 - the page's own commands
            ["/bin/sh", "-c", substitutions.apply(command)],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def _environment_for(machine: Machine, shared: dict[str, str]) -> str:
    """The page's environment file, with this job's values (and nothing else changed)."""
    documented = recipe.environment_file(recipe.block("/etc/hearth/env").text)
    values = {**documented, **shared, "HEARTH_DATA_DIR": str(machine.data_dir)}
    del values["EMAIL_URL"]  # mail goes to files in the data directory
    return "".join(f'{key}="{value}"\n' for key, value in values.items())


@contextmanager
def _object_storage() -> Iterator[dict[str, str]]:
    """The bucket's settings for the environment file (credentials as boto3 reads them)."""
    with throwaway_bucket() as endpoint:
        yield {
            "HEARTH_MEDIA_BUCKET": BUCKET,
            "HEARTH_MEDIA_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }


def _redis_arguments() -> list[str]:
    """The page's redis.conf lines as redis-server arguments."""
    arguments = []
    for line in recipe.block("/etc/redis/redis.conf: the lines to change").commands():
        key, _, value = line.partition(" ")
        arguments += [f"--{key}", value.strip('"')]
    return arguments


def _nginx(site: Site) -> None:
    configuration = recipe.block("/etc/nginx/sites-available/hearth").text
    a, b = site.machines
    configuration = configuration.replace(
        "    server 127.0.0.1:8000;",
        f"    server 127.0.0.1:{a.pages_port};\n    server 127.0.0.1:{b.pages_port};",
    ).replace(
        "    server 127.0.0.1:8001;",
        f"    server 127.0.0.1:{a.live_port};\n    server 127.0.0.1:{b.live_port};",
    )
    configuration = site.substitutions.apply(configuration)
    prefix = site.work / "nginx"
    prefix.mkdir()
    (prefix / "hearth.conf").write_text(configuration)
    temp = {name: prefix / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    (prefix / "nginx.conf").write_text(
        "daemon off;\nworker_processes 1;\n"
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
        + ("user root;\n" if os.getuid() == 0 else "")
        + "events { worker_connections 256; }\nhttp {\n  access_log off;\n"
        f"  client_body_temp_path {temp['body']};\n  proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']};\n  uwsgi_temp_path {temp['uwsgi']};\n"
        f"  scgi_temp_path {temp['scgi']};\n  include {prefix}/hearth.conf;\n}}\n"
    )
    nginx = _required("nginx")
    checked = subprocess.run(  # noqa: S603
        [nginx, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    output = (site.work / "nginx.log").open("wb")
    site.processes.append(
        subprocess.Popen(  # noqa: S603
            [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    )


def _wait_https(site: Site) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            status, _, _ = Browser(site, site.site_url).get("/healthz")
            if status == 200:
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, "nginx did not answer"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        pytest.skip("the production recipe runs against PostgreSQL (scripts/with-postgres)")
    for program in ("nginx", "caddy", "redis-server", "openssl", "curl"):
        _required(program)
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hearth-recipe-")))
        redis_url = stack.enter_context(throwaway_redis(_redis_arguments()))
        storage = stack.enter_context(_object_storage())
        certificate, key = _self_signed_certificate(work)
        venv = work / "venv"
        https_port, http_port = free_port(), free_port()
        machines = []
        for name in ("a", "b"):
            data_dir = work / f"data-{name}"
            machines.append(
                Machine(
                    name=name,
                    data_dir=data_dir,
                    env_file=work / f"env-{name}",
                    admin=work / f"hearth-admin-{name}",
                    pages_port=free_port(),
                    live_port=free_port(),
                )
            )
        a = machines[0]
        (work / "backups").mkdir()
        (work / "backup-passphrase").write_text("a passphrase for the recipe job\n")
        substitutions = recipe.Substitutions(
            [
                ("/etc/letsencrypt/live/hearth.example.org/fullchain.pem", str(certificate)),
                ("/etc/letsencrypt/live/hearth.example.org/privkey.pem", str(key)),
                ("https://hearth.example.org", f"https://localhost:{https_port}"),
                ("hearth.example.org", "localhost"),
                ("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
                ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                ('"$HEARTH_REPOSITORY"', str(REPOSITORY)),
                ("/srv/hearth/.venv", str(venv)),
                ("/srv/hearth/src", str(REPOSITORY)),
                ("/srv/hearth/data /srv/backups/hearth", f"{a.data_dir} {work / 'backups'}"),
                ("/srv/hearth/data", str(a.data_dir)),
                ("/srv/backups/hearth", str(work / "backups")),
                ("/srv/hearth/prune-backups", str(work / "prune-backups")),
                ("/etc/hearth/backup-passphrase", str(work / "backup-passphrase")),
                ("/etc/hearth/env", str(a.env_file)),
                ("/usr/local/bin/hearth-admin", str(a.admin)),
                ("hearth-admin", str(a.admin)),
                ("runuser -u hearth -- ", ""),
                ("-o hearth -g hearth ", ""),
                ("python3 -m venv", f"{sys.executable} -m venv"),
                ("curl -fsS", f"curl -fsS --cacert {certificate}"),
                ("localhost:8000", f"localhost:{a.pages_port}"),
                ("--port 8000", f"--port {a.pages_port}"),
                ("--port 8001", f"--port {a.live_port}"),
                ("127.0.0.1:8000", f"127.0.0.1:{a.pages_port}"),
                ("127.0.0.1:8001", f"127.0.0.1:{a.live_port}"),
                ("--workers 2", "--workers 1"),  # two machines on one CI machine
            ]
        )
        environment = {"PATH": os.environ["PATH"], "HOME": str(work)}
        site = Site(
            work=work,
            venv=venv,
            certificate=certificate,
            key=key,
            https_port=https_port,
            http_port=http_port,
            machines=machines,
            environment=environment,
            substitutions=substitutions,
        )
        stack.callback(site.stop_all)

        _install(work, substitutions)
        hearth = str(venv / "bin" / "hearth")
        toolkit_key = subprocess.run(  # noqa: S603 - "More than one machine" says to
            [hearth, "rotate_toolkit_key", "--generate"],
            capture_output=True,
            text=True,
            check=True,
            env={"PATH": os.environ["PATH"], "HEARTH_DATA_DIR": str(work / "scratch")},
        ).stdout
        shared = {
            "SITE_URL": site.site_url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "HEARTH_TOOLKIT_KEYS": toolkit_key.strip(),
            "HEARTH_POST_RATE_LIMIT": f"{POSTS_PER_WINDOW}/600",
            **storage,
        }
        wrapper = substitutions.apply(
            recipe.block(
                "/usr/local/bin/hearth-admin: run a hearth command as the hearth user, "
                "with its environment"
            ).text
        )
        for machine in machines:
            machine.env_file.write_text(_environment_for(machine, shared))
            machine.admin.write_text(wrapper.replace(str(a.env_file), str(machine.env_file)))
            machine.admin.chmod(0o755)
        prune = recipe.block("/srv/hearth/prune-backups: keep 7 daily and 4 weekly archives.")
        (work / "prune-backups").write_text(substitutions.apply(prune.text))
        (work / "prune-backups").chmod(0o755)

        # First start: on machine a as the page says; machine b only needs its own
        # static files and checks (the database is shared).
        for command in recipe.block("as root: first start").commands():
            if recipe.program_of(command) not in recipe.NOT_RUN_COMMANDS:
                site.shell(command)
        site.shell("hearth-admin init", machines[1])
        site.shell("hearth-admin demo")

        for machine in machines:
            for unit, port in (
                ("hearth-web", machine.pages_port),
                ("hearth-live", machine.live_port),
            ):
                command = recipe.unit_exec_start(f"/etc/systemd/system/{unit}.service")
                command = substitutions.apply(command)
                command = command.replace(f"--port {a.pages_port}", f"--port {port}").replace(
                    f"--port {a.live_port}", f"--port {port}"
                )
                site.start(command, machine, f"{unit}-{machine.name}")
        worker = substitutions.apply(
            recipe.unit_exec_start("/etc/systemd/system/hearth-worker.service")
        )
        site.start(worker, a, "hearth-worker")
        for machine in machines:  # by the site's host name: ALLOWED_HOSTS has no other
            wait_healthy(f"http://localhost:{machine.pages_port}", 60)
            wait_healthy(f"http://localhost:{machine.live_port}", 60)
        _nginx(site)
        _wait_https(site)
        yield site


def _first_thread(browser: Browser) -> tuple[int, int]:
    status, _, home = browser.get("/")
    assert status == 200
    thread_id = int(re.findall(r'href="/t/(\d+)/', home)[0])
    _, _, page = browser.get(f"/t/{thread_id}/")
    after = re.search(r'data-live-after="(\d+)"', page)
    assert after, "the thread page has no live attributes"
    return thread_id, int(after.group(1))


def _reply(browser: Browser, thread_id: int, text: str) -> tuple[int, str]:
    """Post a reply from the thread page's form; the status and where it sent the member."""
    _, _, page = browser.get(f"/t/{thread_id}/")
    status, headers, _ = browser.post(f"/t/{thread_id}/reply/", {"body": text}, page)
    return status, headers.get("location", "")


def test_two_machines_share_sessions_posts_live_events_and_rate_limits(site: Site) -> None:
    a, b = site.machines
    willow_on_a = Browser(site, a.pages)
    willow_on_a.sign_in("willow")
    willow_on_b = willow_on_a.at(b.pages)

    status, _, home = willow_on_b.get("/")
    assert status == 200
    assert "Sign out" in home or "willow" in home.lower()  # signed in through the other machine

    thread_id, after = _first_thread(willow_on_b)
    query = f"?thread={thread_id}&after={after}"
    streams = [
        Stream(willow_on_a.at(f"http://127.0.0.1:{a.live_port}"), query),
        Stream(willow_on_a.at(f"http://127.0.0.1:{b.live_port}"), query),
        Stream(willow_on_a.at(site.site_url), query),  # through nginx, buffering off
    ]
    marker = f"Posted through machine a, {uuid.uuid4().hex[:8]}"

    status, location = _reply(willow_on_a, thread_id, marker)
    assert status == 302

    status, _, page = willow_on_b.follow(location)
    assert status == 200
    assert marker in page  # written through a, read through b
    for stream in streams:
        stream.wait_for_events(1)
    time.sleep(1.5)  # a second copy, if any, would have come by now
    for stream in streams:
        ids = [event_id for event_id, _ in stream.events]
        assert len(ids) == len(set(ids)), f"an event arrived twice: {ids}"
        stream.close()

    # The rate limit: one reply already counted; the rest race through both machines.
    harbour_on_a = Browser(site, a.pages)
    harbour_on_a.sign_in("harbour")
    harbour_on_b = harbour_on_a.at(b.pages)
    attempts = [harbour_on_a, harbour_on_b] * POSTS_PER_WINDOW
    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        statuses = list(
            pool.map(
                lambda pair: _reply(pair[1], thread_id, f"Race reply {pair[0]}")[0],
                enumerate(attempts),
            )
        )
    assert statuses.count(302) == POSTS_PER_WINDOW, statuses
    assert statuses.count(429) == len(attempts) - POSTS_PER_WINDOW, statuses


def test_the_worker_notifies_across_machines(site: Site) -> None:
    a, b = site.machines
    fern = Browser(site, a.pages)
    fern.sign_in("fern")
    status, _, page = fern.get("/notifications/")
    assert status == 200
    before = page.count("Quill")
    thread_id, _ = _first_thread(fern)
    quill = Browser(site, b.pages)
    quill.sign_in("quill")
    assert _reply(quill, thread_id, "@fern thinking of you this week")[0] == 302

    deadline = time.monotonic() + 30
    while fern.at(b.pages).get("/notifications/")[2].count("Quill") <= before:
        assert time.monotonic() < deadline, "the worker delivered no notification"
        time.sleep(0.5)


def test_an_avatar_uploaded_through_one_machine_is_served_through_the_other(site: Site) -> None:
    a, b = site.machines
    marlow = Browser(site, a.pages)
    marlow.sign_in("marlow")
    status, _, form_page = marlow.get(PROFILE)
    assert status == 200, status
    image = io.BytesIO()
    Image.new("RGB", (80, 80), (30, 120, 90)).save(image, format="PNG")
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form_page))
    fields.pop("avatar", None)
    selected = re.findall(
        r'<select[^>]*name="([^"]+)"[^>]*>.*?<option[^>]*value="([^"]*)"[^>]*selected',
        form_page,
        re.DOTALL,
    )
    fields.update(dict(selected))
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="me.png"\r\n'
        "Content-Type: image/png\r\n\r\n".encode()
        + image.getvalue()
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    status, headers, _ = marlow.request(
        "POST",
        PROFILE,
        body,
        {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Origin": site.site_url,
            "Referer": f"{site.site_url}{PROFILE}",
        },
    )
    assert status == 302, status

    status, headers, page = marlow.at(b.pages).get(PROFILE)
    avatar = re.search(r'<img class="avatar" src="(/media/[^"]+)"', page)
    assert avatar, "no avatar on the other machine's page"
    policy = headers["content-security-policy"]
    endpoint = recipe.environment_file(a.env_file.read_text())["HEARTH_MEDIA_ENDPOINT_URL"]
    assert f"img-src 'self' data: {endpoint}" in policy

    status, headers, _ = marlow.at(b.pages).get(avatar.group(1))
    assert status == 302
    signed = urlsplit(headers["location"])
    connection = http.client.HTTPConnection(signed.hostname or "", signed.port, timeout=10)
    connection.request("GET", f"{signed.path}?{signed.query}")
    served = connection.getresponse()
    assert served.status == 200
    assert served.getheader("Content-Type") == "image/webp"
    assert (served.getheader("Content-Disposition") or "").startswith("inline;")
    assert Image.open(io.BytesIO(served.read())).format == "WEBP"


def test_the_pages_health_checks_answer(site: Site) -> None:
    for command in recipe.block("health checks").commands():
        assert site.shell(command).strip() in {"ok", "ready"}


def test_the_pages_upgrade_backup_and_pruning_run(site: Site) -> None:
    # The install block ran `pip install` of this same checkout already (identical line).
    installed = recipe.block("as root: a user, the code and its virtual environment").commands()
    for command in recipe.block("as root: upgrading").commands():
        if recipe.program_of(command) not in recipe.NOT_RUN_COMMANDS and command not in installed:
            site.shell(command)
    assert (site.work / "backups" / "before-upgrade.tar.gz").stat().st_size > 0

    # The nightly unit's command, with systemd's %% unescaped as systemd does.
    nightly = recipe.unit_exec_start("/etc/systemd/system/hearth-backup.service")
    site.shell(nightly.replace("%%", "%"))
    dated = site.work / "backups" / f"hearth-{time.strftime('%Y-%m-%d')}.tar.gz"
    assert dated.exists()
    dated.unlink()
    (cron,) = recipe.block("cron").commands()
    site.shell(cron.split(" ", 5)[5].replace("\\%", "%"))
    assert dated.exists()
    manifest = subprocess.run(  # noqa: S603
        [_required("tar"), "-xzOf", str(dated), "manifest.json"], capture_output=True, check=True
    ).stdout
    warnings = json.loads(manifest)["warnings"]
    assert any("object storage bucket" in warning for warning in warnings)


def test_the_caddy_configuration_is_valid(site: Site) -> None:
    caddyfile = site.work / "Caddyfile"
    caddyfile.write_text(site.substitutions.apply(recipe.block("/etc/caddy/Caddyfile").text))
    done = subprocess.run(  # noqa: S603
        [_required("caddy"), "validate", "--adapter", "caddyfile", "--config", str(caddyfile)],
        capture_output=True,
        text=True,
        env={
            **site.environment,
            "XDG_DATA_HOME": str(site.work),
            "XDG_CONFIG_HOME": str(site.work),
        },
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
