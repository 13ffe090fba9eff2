"""Load Hearth with wrk (Debian's package) and read its results; fetch a page once.

Each run gets a small Lua script whose ``done`` hook prints the numbers as
one JSON line, so nothing depends on the layout of wrk's human-readable
report. Page runs send a fixed request (wrk's fast path); the posting run
builds every request in Lua with a unique request key, one connection and
one signed-in member per wrk thread, and prints the keys the server
acknowledged with a redirect so the harness can count lost and duplicated
posts afterwards.
"""

from __future__ import annotations

import http.client
import http.cookies
import json
import shutil
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from bench.server import BenchError

WRK_REQUEST_TIMEOUT = "30s"  # slower answers still count in the latencies, not as timeouts
RESULT_PREFIX = "BENCH_RESULT "
ACKED_PREFIX = "BENCH_ACKED "
UNEXPECTED_PREFIX = "BENCH_UNEXPECTED "

REPORT_LUA = """
-- bench/load.py: print wrk's results as one JSON line.
function bench_report(summary, latency)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, '
    .. '"read": %d, "write": %d, "status": %d, "timeout": %d, "p50_us": %d, '
    .. '"p90_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max))
end

function done(summary, latency, requests)
  bench_report(summary, latency)
end
"""

POST_LUA = """
-- bench/load.py: each wrk thread is one member posting replies on one connection.
-- Arguments: path origin body run_id, then "cookie token" pairs, one per thread.
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("writer", thread_count)
  table.insert(threads, thread)
end

local path, origin, body_text, run_id, headers
local counter = 0
local pending = nil
acked = {}
unexpected = 0

function init(args)
  path, origin, body_text, run_id = args[1], args[2], args[3], args[4]
  local cookie, token = args[3 + 2 * writer], args[4 + 2 * writer]
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
    ["Origin"] = origin,
    ["Referer"] = origin .. path,
  }
  body_text = body_text .. "&csrfmiddlewaretoken=" .. token
  math.randomseed(writer * 7919 + os.time())
end

function request()
  counter = counter + 1
  pending = run_id .. "-" .. writer .. "-" .. counter .. "-" .. math.random(1, 1000000000)
  return wrk.format("POST", path, headers, "request_key=" .. pending .. "&" .. body_text)
end

function response(status, response_headers, body)
  if status == 302 and pending ~= nil then
    acked[#acked + 1] = pending
  else
    unexpected = unexpected + 1
  end
  pending = nil
end

function done(summary, latency, requests)
  bench_report(summary, latency)
  for _, thread in ipairs(threads) do
    for _, key in ipairs(thread:get("acked")) do
      io.write("BENCH_ACKED " .. key .. "\\n")
    end
    io.write("BENCH_UNEXPECTED " .. thread:get("unexpected") .. "\\n")
  end
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    socket_errors: int  # connect, read and write errors, and timeouts
    status_errors: int  # answers with an HTTP status >= 400
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    acked_keys: list[str] = field(default_factory=list)  # the posting run only
    unexpected_responses: int = 0  # the posting run: anything but a 302 to the new post

    @property
    def errors(self) -> int:
        """Failed requests: socket errors, and HTTP errors (posting: any answer but a 302)."""
        return self.socket_errors + max(self.status_errors, self.unexpected_responses)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Page:
    status: int
    body: bytes
    set_cookies: dict[str, str]


def fetch(port: int, path: str, cookie: str) -> Page:
    """GET a page from the server without following redirects."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        body = response.read()
        cookies: dict[str, str] = {}
        for header in response.msg.get_all("Set-Cookie") or []:
            parsed = http.cookies.SimpleCookie()
            parsed.load(header)
            cookies |= {name: morsel.value for name, morsel in parsed.items()}
        return Page(status=response.status, body=body, set_cookies=cookies)
    finally:
        connection.close()


# A request the server answers this fast has nothing queued before it.
SETTLED_MS = 20.0
SETTLE_TIMEOUT_SECONDS = 10.0


def settle(port: int, path: str) -> None:
    """Wait until the server has worked through what wrk left queued when it stopped (the
    requests of its open connections, answered to nobody): a slow page's backlog would
    otherwise be the next measurement's first second. ``path`` is a cheap page."""
    deadline = time.perf_counter() + SETTLE_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        fetch(port, path, "")
        if (time.perf_counter() - started) * 1000 < SETTLED_MS:
            return


@dataclass(frozen=True)
class Writer:
    cookie: str  # the Cookie header: session and CSRF cookie
    csrf_token: str  # the form's csrfmiddlewaretoken


def find_wrk() -> str:
    """wrk's path; raises BenchError saying how to install it."""
    path = shutil.which("wrk")
    if path is None:
        message = "wrk is not installed: apt-get install -y wrk (Debian's package)"
        raise BenchError(message)
    return path


def write_scripts(directory: Path) -> tuple[Path, Path]:
    """Write the page and posting Lua scripts; return their paths."""
    page = directory / "page.lua"
    page.write_text(REPORT_LUA)
    post = directory / "post.lua"
    post.write_text(REPORT_LUA.split("function done", 1)[0] + POST_LUA)
    return page, post


def load_page(
    url: str,
    *,
    cookie: str,
    seconds: int,
    connections: int,
    threads: int,
    script: Path,
    headers: dict[str, str] | None = None,
) -> WrkResult:
    """GET one URL over and over for ``seconds`` (with these extra request headers)."""
    options = ["-H", f"Cookie: {cookie}"] if cookie else []
    for name, value in (headers or {}).items():
        options += ["-H", f"{name}: {value}"]
    return _run_wrk(
        [*options, "-s", str(script), url],
        seconds=seconds,
        connections=connections,
        threads=threads,
    )


def load_posting(
    origin: str,
    path: str,
    *,
    writers: list[Writer],
    body: str,
    run_id: str,
    seconds: int,
    script: Path,
) -> WrkResult:
    """POST replies to ``path``: one connection, one member per writer, for ``seconds``."""
    form_body = "body=" + urllib.parse.quote_plus(body)
    credentials = [value for writer in writers for value in (writer.cookie, writer.csrf_token)]
    return _run_wrk(
        ["-s", str(script), origin + path, "--", path, origin, form_body, run_id, *credentials],
        seconds=seconds,
        connections=len(writers),
        threads=len(writers),
    )


def _run_wrk(arguments: list[str], *, seconds: int, connections: int, threads: int) -> WrkResult:
    command = [
        find_wrk(),
        "--threads", str(threads),
        "--connections", str(connections),
        "--duration", f"{seconds}s",
        "--timeout", WRK_REQUEST_TIMEOUT,
        *arguments,
    ]  # fmt: skip
    completed = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=seconds + 120
    )
    if completed.returncode != 0:
        message = f"wrk failed ({completed.returncode}):\n{completed.stdout}{completed.stderr}"
        raise BenchError(message)
    return parse_wrk_output(completed.stdout)


def parse_wrk_output(output: str) -> WrkResult:
    """Read the lines our Lua ``done`` hook printed; raises BenchError if they are missing."""
    summary: dict[str, int] | None = None
    acked: list[str] = []
    unexpected = 0
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            summary = json.loads(line.removeprefix(RESULT_PREFIX))
        elif line.startswith(ACKED_PREFIX):
            acked.append(line.removeprefix(ACKED_PREFIX).strip())
        elif line.startswith(UNEXPECTED_PREFIX):
            unexpected += int(line.removeprefix(UNEXPECTED_PREFIX))
    if summary is None:
        message = f"wrk printed no result line:\n{output}"
        raise BenchError(message)
    return WrkResult(
        requests=summary["requests"],
        seconds=summary["duration_us"] / 1e6,
        socket_errors=sum(summary[kind] for kind in ("connect", "read", "write", "timeout")),
        status_errors=summary["status"],
        p50_ms=summary["p50_us"] / 1000,
        p90_ms=summary["p90_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        max_ms=summary["max_us"] / 1000,
        acked_keys=acked,
        unexpected_responses=unexpected,
    )
