"""Issue 19's mixed workload, and the same workload against two processes with a check.

**The mixed workload.** Signed-in members reading and writing at once, as a busy
community does: 90% reads of random pages of random threads, 9% writes that do not
make a post (4.5% reaction toggles on random posts, 4.5% draft saves to /drafts/)
and 1% new replies, each request as one of ``Workload.members`` (200 in ``make
bench``: distinct members, each with their own session cookie and CSRF token).

It is wrk with a Lua script (``MIXED_LUA``), not a Python client: on two cores a
Python client would take a core of its own and measure itself. wrk hands a Lua
script no connection of a response, only the thread, so every wrk thread holds
exactly one connection (``--threads`` equal to ``--connections``): each thread's
requests and responses then strictly alternate, and the script knows what each
response answers. Each connection signs in as its own slice of the members (member
i on connection i mod connections), picking one of them at random per request, and
goes to one server, the servers taken in turn (connection 1 to the first, 2 to the
second...): what a load balancer holding keep-alive connections does. The script
times each request itself (a monotonic clock, through LuaJIT's FFI) from when wrk
asks for it, just before writing it, to its whole response, so each kind gets its own
exact percentiles. A request succeeds when it gets the answer that kind expects
(``EXPECTED_STATUS``: the page, 200; a reaction, 302 back to the post; a draft, 200;
a reply, 302 to the new post): a 302 to the sign-in page is an error, not a success.
A request whose connection broke before its answer is counted too ("unanswered").

**Two processes.** The same workload against two ``hearth serve`` processes sharing
PostgreSQL and Redis (``another_hearth_server`` starts the second with the first's
environment), and meanwhile the correctness check (``check_hidden_posts_vanish``):
``rounds`` times, a moderator hides a post through process A and the very next
response of process B for that thread page, to a member and to a visitor, must no
longer hold the post's text; then the post is restored through A and B's next
responses must show it again. A response that still shows what was just changed is
*stale*. Before each round both of B's pages are read once, so B has the page in its
caches (fragments in its memory, the visitor's whole page in Redis): the check is
about caches, and an empty cache would pass it for nothing. When the rounds outlast
the measured run (under load each waits behind every connection), the same load goes
on, not measured, until they are over.

``make bench SCALE=large`` runs it (``bench.run.add_mixed_workload``); ``python -m
bench.mixed`` runs it on its own (a tiny or the large data set of
``bench.large_dataset``, one process, then two).
All traffic goes to 127.0.0.1, for a bounded time; every process started is stopped.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench import load, report
from bench.server import BenchError, HearthServer, free_port, hearth_init, hearth_server

if TYPE_CHECKING:
    from bench.large_dataset import LargeDataset
    from bench.run import Visitor

READ, REACTION, DRAFT, REPLY = "read", "reaction", "draft", "reply"
KINDS = (READ, REACTION, DRAFT, REPLY)
# Each kind's share of the requests, per thousand (issue 19: 90% reads, 9% reactions and
# drafts, 1% replies); the Lua script rolls a number from 1 to 1000 per request.
SHARE_PER_THOUSAND = {READ: 900, REACTION: 45, DRAFT: 45, REPLY: 10}
# What each kind must answer; anything else is an error (a 302 to the sign-in page too).
EXPECTED_STATUS = {READ: 200, REACTION: 302, DRAFT: 200, REPLY: 302}
KIND_NAMES = {
    READ: "thread pages (90%)",
    REACTION: "reaction toggles (4.5%)",
    DRAFT: "draft saves (4.5%)",
    REPLY: "new replies (1%)",
}
REACTION_KINDS = ("hug", "heart", "thanks", "me_too")  # forum.models.ReactionKind's values
POSTS_PER_PAGE = 20  # forum.selectors.POSTS_PER_PAGE, repeated so nothing imports Django early
# Targets (issue 19): reported, never asserted in tests.
MIXED_P99_MS = 150.0
CHECK_ROUNDS = 20
KEEP_LOADED_SECONDS = 600  # at most, after the measured run, until the check's rounds end
MEMBERS = 200
WORKERS = 2
# The prefixes of the lines the Lua script's ``done`` hook prints.
KIND_PREFIX = "BENCH_MIXED_KIND "
LATENCY_PREFIX = "BENCH_MIXED_LATENCY "
STATUS_PREFIX = "BENCH_MIXED_STATUS "
PORTS_VARIABLE = "BENCH_MIXED_PORTS"
HIDE_REASON = "Benchmark: checking that a hidden post is gone from every process."
RESTORE_REASON = "Benchmark: the check is over."
ARTICLE = r'<article\b[^>]*\bid="post-{post_id}"[^>]*>(.*?)</article>'
# A post's own paragraphs: the rendered body's <p> have no attributes, the page's notes
# about a post ("Hidden by a moderator", "A moderator hid this post.") have a class.
BODY_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
DEFAULT_BODY = (
    "Thank you for writing this. I read it twice this evening and it helped to know that "
    "someone else keeps a notebook of the small things that went well in the week. "
    "Mine is short, but it is honest, and on the hard days it reminds me that there were "
    "easier ones. I hope your session on Thursday goes gently."
)

MIXED_LUA = """
-- bench/mixed.py: the mixed workload. One connection per wrk thread (so a response is
-- the answer to this thread's one pending request); the connection's servers and
-- members are its share of BENCH_MIXED_PORTS and of the data file's members.
-- Arguments: the data file, the number of connections, the run id.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

local KINDS = {"read", "reaction", "draft", "reply"}
local EXPECTED = {read = 200, reaction = 302, draft = 200, reply = 302}
local REACTION_KINDS = {"hug", "heart", "thanks", "me_too"}
local READ_UP_TO, REACTION_UP_TO, DRAFT_UP_TO = %(read)d, %(reaction)d, %(draft)d

local all_threads = {}

function setup(thread)
  local ports = {}
  for port in string.gmatch(os.getenv("BENCH_MIXED_PORTS") or "", "%%d+") do
    ports[#ports + 1] = port
  end
  local number = #all_threads + 1
  local port = ports[(number - 1) %% #ports + 1]
  thread.addr = wrk.lookup("127.0.0.1", port)[1]
  thread:set("connection", number)
  thread:set("port", port)
  all_threads[number] = thread
end

local members, topics, reactions = {}, {}, {}
local draft_path, reply_body, draft_body, origin, run_id
local counter = 0
local calls = 0
local started = 0
pending = nil
-- Flat tables only: wrk's thread:get crashes copying a table of tables, so each kind's
-- latencies are a global of their own (latency_read, latency_reaction...).
unanswered, bytes, statuses = {}, {}, {}

local function fields(line)
  local found = {}
  for field in (line .. "\\t"):gmatch("([^\\t]*)\\t") do
    found[#found + 1] = field
  end
  return found
end

function init(args)
  local connections = tonumber(args[2])
  run_id = args[3]
  origin = "http://127.0.0.1:" .. port
  local everyone = {}
  for line in io.lines(args[1]) do
    local row = fields(line)
    if row[1] == "M" then
      everyone[#everyone + 1] = {cookie = row[2], token = row[3]}
    elseif row[1] == "T" then
      topics[#topics + 1] = {id = row[2], path = row[3], reply = row[4], pages = tonumber(row[5])}
    elseif row[1] == "R" then
      reactions[#reactions + 1] = row[2]
    elseif row[1] == "D" then
      draft_path = row[2]
    elseif row[1] == "B" then
      reply_body = row[2]
      draft_body = row[2]
    end
  end
  for index, member in ipairs(everyone) do
    if (index - 1) %% connections == connection - 1 then
      members[#members + 1] = member
    end
  end
  if #members == 0 then  -- fewer members than connections: connections share them
    members[1] = everyone[(connection - 1) %% #everyone + 1]
  end
  for _, kind in ipairs(KINDS) do
    _G["latency_" .. kind], unanswered[kind], bytes[kind] = {}, 0, 0
  end
  math.randomseed(connection * 7919 + os.time())
end

function request()
  calls = calls + 1
  -- wrk asks the first thread for one request before it starts, to check it, and never
  -- sends it: that one went unanswered for no fault of the server's.
  local checked_by_wrk = connection == 1 and calls == 2
  if pending ~= nil and not checked_by_wrk then  -- the connection broke before the answer
    unanswered[pending] = unanswered[pending] + 1
  end
  local member = members[math.random(#members)]
  local topic = topics[math.random(#topics)]
  local headers = {["Host"] = "127.0.0.1:" .. port, ["Cookie"] = member.cookie}
  local roll = math.random(1000)
  if roll <= READ_UP_TO then
    pending = "read"
    local page = math.random(topic.pages)
    local path = topic.path
    if page > 1 then path = path .. "?page=" .. page end
    started = now_us()
    return wrk.format("GET", path, headers, nil)
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Origin"] = origin
  headers["Referer"] = origin .. topic.path
  local path, form
  if roll <= REACTION_UP_TO then
    pending = "reaction"
    path = reactions[math.random(#reactions)]
    form = "kind=" .. REACTION_KINDS[math.random(#REACTION_KINDS)]
  elseif roll <= DRAFT_UP_TO then
    pending = "draft"
    path = draft_path
    form = "thread=" .. topic.id .. "&body=" .. draft_body
  else
    pending = "reply"
    counter = counter + 1
    path = topic.reply
    form = "request_key=" .. run_id .. "-" .. connection .. "-" .. counter .. "&body=" .. reply_body
  end
  started = now_us()
  return wrk.format("POST", path, headers, form .. "&csrfmiddlewaretoken=" .. member.token)
end

function response(status, response_headers, body)
  if pending == nil then return end
  local kind = pending
  pending = nil
  local samples = _G["latency_" .. kind]
  samples[#samples + 1] = now_us() - started
  bytes[kind] = bytes[kind] + #body
  if status ~= EXPECTED[kind] then
    local key = kind .. " " .. status
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  bench_report(summary, latency)
  for _, thread in ipairs(all_threads) do
    local thread_unanswered = thread:get("unanswered")
    local thread_bytes = thread:get("bytes")
    for _, kind in ipairs(KINDS) do
      io.write("BENCH_MIXED_KIND " .. kind .. " " .. thread_unanswered[kind] .. " "
        .. thread_bytes[kind] .. "\\n")
      io.write("BENCH_MIXED_LATENCY " .. kind .. " "
        .. table.concat(thread:get("latency_" .. kind), " ") .. "\\n")
    end
    for key, count in pairs(thread:get("statuses")) do
      io.write("BENCH_MIXED_STATUS " .. key .. " " .. count .. "\\n")
    end
  end
end
"""


def say(text: str) -> None:
    """Report progress on stderr; stdout carries only the table."""
    print(text, file=sys.stderr, flush=True)


# --- What the workload is given -------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A signed-in member as a browser holds them after a first visit."""

    cookie: str  # the Cookie header: the session and CSRF cookies
    csrf_token: str  # the form's csrfmiddlewaretoken


@dataclass(frozen=True)
class ThreadTarget:
    """A thread every member may read and reply to."""

    thread_id: int
    path: str  # its page ("/t/12/"); pages after the first add "?page=N"
    reply_path: str  # where replies are POSTed ("/t/12/reply/")
    pages: int  # its pages when the workload starts (replies only add more)


@dataclass(frozen=True)
class Workload:
    """Who sends the mixed workload's requests, and what they read and write."""

    members: Sequence[Member]
    threads: Sequence[ThreadTarget]
    react_paths: Sequence[str]  # "/p/<id>/react/" of posts no member wrote (one can't react
    # to one's own post), none hidden, deleted or held, and none the check hides
    draft_path: str = "/drafts/"
    body: str = DEFAULT_BODY  # of every reply and draft

    def __post_init__(self) -> None:
        if not (self.members and self.threads and self.react_paths):
            message = "the mixed workload needs members, threads and posts to react to"
            raise BenchError(message)


@dataclass(frozen=True)
class CheckTarget:
    """A post the check hides and restores, on its thread's page in a public category."""

    post_id: int
    page_path: str  # the thread page that shows it
    hide_path: str  # moderation:post_action with "hide"
    restore_path: str  # ... with "restore"


@dataclass(frozen=True)
class Check:
    """Who takes part in the correctness check, and the posts it hides in turn."""

    moderator: Member
    member: Member  # an ordinary member who wrote none of the posts (authors see theirs)
    targets: Sequence[CheckTarget]


# --- What it measures -----------------------------------------------------------------


@dataclass(frozen=True)
class KindResult:
    """One kind of request in a run (or all of them: kind "all")."""

    kind: str
    requests: int  # answered
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    mean_bytes: float  # of the answers' bodies
    unexpected: int  # answered with another status than the kind expects
    unanswered: int  # the connection broke (or timed out) before the answer
    statuses: dict[str, int] = field(default_factory=dict)  # the unexpected ones, by status

    @property
    def errors(self) -> int:
        return self.unexpected + self.unanswered


@dataclass(frozen=True)
class MixedResult:
    """One run of the mixed workload."""

    servers: int  # hearth serve processes the connections went to, in turn
    connections: int
    members: int
    threads: int  # threads read and replied to
    seconds: float
    overall: KindResult
    kinds: list[KindResult]
    socket_errors: int  # wrk's own count: connect, read and write errors, and timeouts

    @property
    def errors(self) -> int:
        """Failed requests: unexpected answers, and wrk's socket errors and timeouts (which
        include the connections that broke before an answer)."""
        return self.overall.unexpected + max(self.socket_errors, self.overall.unanswered)


@dataclass(frozen=True)
class StaleResponse:
    """A response of process B that still showed what process A had just changed."""

    round: int
    post_id: int
    audience: str  # "member" or "visitor"
    after: str  # "hide" (the text was still there) or "restore" (it was still gone)


@dataclass(frozen=True)
class CheckResult:
    """The correctness check across two processes."""

    rounds: int
    rounds_under_load: int  # finished while the mixed workload was still running
    responses: int  # B's responses judged (two audiences, after each hide and restore)
    stale: list[StaleResponse]
    hide_ms: float  # the median hide request through A (its commit included)
    read_ms: float  # the median of B's judged responses

    @property
    def stale_count(self) -> int:
        return len(self.stale)


@dataclass(frozen=True)
class ManyProcesses:
    """The mixed workload against two processes, and the check run during it."""

    mixed: MixedResult
    check: CheckResult


# --- Running the workload -------------------------------------------------------------


def write_script(directory: Path) -> Path:
    """Write the mixed workload's Lua script (with bench/load.py's report hook); return it."""
    report_hook = load.REPORT_LUA.split("function done", 1)[0]
    thresholds = {
        "read": SHARE_PER_THOUSAND[READ],
        "reaction": SHARE_PER_THOUSAND[READ] + SHARE_PER_THOUSAND[REACTION],
        "draft": SHARE_PER_THOUSAND[READ]
        + SHARE_PER_THOUSAND[REACTION]
        + SHARE_PER_THOUSAND[DRAFT],
    }
    script = directory / "mixed.lua"
    script.write_text(report_hook + MIXED_LUA % thresholds)
    return script


def write_data(workload: Workload, path: Path) -> Path:
    """The workload as the Lua script reads it: one tab-separated line per member, thread
    and post (a file, not arguments: the large data set has 100,000 threads)."""
    encoded_body = urllib.parse.quote_plus(workload.body)
    lines = [f"D\t{workload.draft_path}", f"B\t{encoded_body}"]
    lines += [f"M\t{member.cookie}\t{member.csrf_token}" for member in workload.members]
    lines += [
        f"T\t{thread.thread_id}\t{thread.path}\t{thread.reply_path}\t{max(1, thread.pages)}"
        for thread in workload.threads
    ]
    lines += [f"R\t{react_path}" for react_path in workload.react_paths]
    expected_fields = {"D": 2, "B": 2, "M": 3, "T": 5, "R": 2}
    if any(len(line.split("\t")) != expected_fields[line[0]] for line in lines):
        message = "a cookie, token or path holds a tab: the Lua script could not read it"
        raise BenchError(message)
    path.write_text("\n".join(lines) + "\n")
    return path


def run_mixed(
    ports: Sequence[int],
    workload: Workload,
    *,
    seconds: int,
    connections: int,
    work: Path,
    warmup: int = 0,
) -> MixedResult:
    """Send the mixed workload to ``ports`` (127.0.0.1) for ``seconds``, after ``warmup``
    seconds of the same load, discarded; ``work`` is a directory for the script and data."""
    if warmup:
        process = start_mixed(ports, workload, seconds=warmup, connections=connections, work=work)
        finish_mixed(process, ports=ports, workload=workload, connections=connections)
    process = start_mixed(ports, workload, seconds=seconds, connections=connections, work=work)
    return finish_mixed(process, ports=ports, workload=workload, connections=connections)


def start_mixed(
    ports: Sequence[int], workload: Workload, *, seconds: int, connections: int, work: Path
) -> subprocess.Popen[str]:
    """Start wrk with the mixed workload in the background; ``finish_mixed`` reads it."""
    if not ports or connections < 1 or seconds < 1:
        message = "the mixed workload needs a port, a connection and a second at least"
        raise BenchError(message)
    script = write_script(work)
    data = write_data(workload, work / "mixed-data.tsv")
    command = [
        load.find_wrk(),
        "--threads", str(connections),  # one connection per thread: see the module's docstring
        "--connections", str(connections),
        "--duration", f"{seconds}s",
        "--timeout", load.WRK_REQUEST_TIMEOUT,
        "-s", str(script), f"http://127.0.0.1:{ports[0]}/",
        "--", str(data), str(connections), "m" + secrets.token_hex(4),
    ]  # fmt: skip
    return subprocess.Popen(
        command,
        env=os.environ | {PORTS_VARIABLE: ",".join(str(port) for port in ports)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_mixed(
    process: subprocess.Popen[str],
    *,
    ports: Sequence[int],
    workload: Workload,
    connections: int,
    timeout: float = 300,
) -> MixedResult:
    """Wait for wrk (stopping it if it overruns ``timeout``) and read its lines."""
    try:
        output, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        message = f"wrk ran past {timeout:.0f} s and was stopped"
        raise BenchError(message) from None
    if process.returncode != 0:
        message = f"wrk failed ({process.returncode}):\n{output}{errors}"
        raise BenchError(message)
    return parse_output(
        output,
        servers=len(ports),
        connections=connections,
        members=len(workload.members),
        threads=len(workload.threads),
    )


def parse_output(
    output: str, *, servers: int, connections: int, members: int, threads: int
) -> MixedResult:
    """Read what the Lua ``done`` hook printed; raises BenchError if lines are missing."""
    summary = load.parse_wrk_output(output)
    latencies: dict[str, list[int]] = {kind: [] for kind in KINDS}
    unanswered = dict.fromkeys(KINDS, 0)
    body_bytes = dict.fromkeys(KINDS, 0)
    statuses: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
    seen = False
    for line in output.splitlines():
        if line.startswith(KIND_PREFIX):
            kind, broken, size = line.removeprefix(KIND_PREFIX).split()
            unanswered[kind] += int(broken)
            body_bytes[kind] += int(size)
            seen = True
        elif line.startswith(LATENCY_PREFIX):
            kind, *values = line.removeprefix(LATENCY_PREFIX).split()
            latencies[kind] += [int(float(value)) for value in values]
        elif line.startswith(STATUS_PREFIX):
            kind, status, count = line.removeprefix(STATUS_PREFIX).split()
            statuses[kind][status] = statuses[kind].get(status, 0) + int(count)
    if not seen:
        message = f"wrk printed no mixed-workload lines:\n{output}"
        raise BenchError(message)
    kinds = [
        _kind_result(
            kind,
            latencies_us=latencies[kind],
            seconds=summary.seconds,
            body_bytes=body_bytes[kind],
            unanswered=unanswered[kind],
            statuses=statuses[kind],
        )
        for kind in KINDS
    ]
    overall = _kind_result(
        "all",
        latencies_us=[value for kind in KINDS for value in latencies[kind]],
        seconds=summary.seconds,
        body_bytes=sum(body_bytes.values()),
        unanswered=sum(unanswered.values()),
        statuses={
            f"{kind} {status}": count for kind in KINDS for status, count in statuses[kind].items()
        },
    )
    return MixedResult(
        servers=servers,
        connections=connections,
        members=members,
        threads=threads,
        seconds=summary.seconds,
        overall=overall,
        kinds=kinds,
        socket_errors=summary.socket_errors,
    )


def _kind_result(
    kind: str,
    *,
    latencies_us: list[int],
    seconds: float,
    body_bytes: int,
    unanswered: int,
    statuses: dict[str, int],
) -> KindResult:
    ordered = sorted(latencies_us)

    def percentile(share: float) -> float:  # nearest rank, in ms
        if not ordered:
            return 0.0
        return ordered[max(0, min(len(ordered) - 1, math.ceil(len(ordered) * share) - 1))] / 1000

    return KindResult(
        kind=kind,
        requests=len(ordered),
        requests_per_second=len(ordered) / seconds if seconds else 0.0,
        p50_ms=percentile(0.50),
        p99_ms=percentile(0.99),
        max_ms=ordered[-1] / 1000 if ordered else 0.0,
        mean_bytes=body_bytes / len(ordered) if ordered else 0.0,
        unexpected=sum(statuses.values()),
        unanswered=unanswered,
        statuses=statuses,
    )


# --- Two processes and the correctness check ------------------------------------------


@contextmanager
def another_hearth_server(
    *, environment: Mapping[str, str], workers: int, log_path: Path
) -> Iterator[HearthServer]:
    """A second ``hearth serve`` beside the first, on a port of its own, with the very same
    environment (DATABASE_URL and REDIS_URL included: the two share the database and the
    caches, as two machines behind a load balancer do); stopped on the way out."""
    if not environment.get("REDIS_URL"):
        message = "two processes are measured sharing Redis, as in production: set REDIS_URL"
        raise BenchError(message)
    with hearth_server(
        environment=environment, port=free_port(), workers=workers, log_path=log_path
    ) as server:
        yield server


def run_many_processes(
    first: HearthServer,
    second: HearthServer,
    workload: Workload,
    check: Check,
    *,
    seconds: int,
    connections: int,
    work: Path,
    warmup: int = 0,
    rounds: int = CHECK_ROUNDS,
) -> ManyProcesses:
    """The mixed workload against both servers in turn and, while it runs, ``rounds`` of
    the check: hide through ``first`` (A), read through ``second`` (B), restore."""
    ports = [first.port, second.port]
    if warmup:
        process = start_mixed(ports, workload, seconds=warmup, connections=connections, work=work)
        finish_mixed(process, ports=ports, workload=workload, connections=connections)
    # B's first answers come from cold workers (imports, templates): read the pages the
    # check reads once before the load, so its rounds fall inside the load's seconds.
    for target in check.targets:
        for cookie in (check.member.cookie, ""):
            load.fetch(second.port, target.page_path, cookie)
    loads = [start_mixed(ports, workload, seconds=seconds, connections=connections, work=work)]
    stopping = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mixed-check") as pool:
        checking = pool.submit(
            check_hidden_posts_vanish, first.port, second.port, check, rounds=rounds,
            seconds=seconds, under_load=lambda: any(wrk.poll() is None for wrk in loads),
            stopping=stopping,
        )  # fmt: skip
        try:
            mixed = finish_mixed(loads[0], ports=ports, workload=workload, connections=connections)
            if not checking.done():
                # Under load each round's eight requests queue behind every connection's, so
                # the rounds can outlast the measured seconds: keep the same load on (not
                # measured) until they are over, so that every round runs under load.
                loads.append(
                    start_mixed(
                        ports, workload, seconds=KEEP_LOADED_SECONDS, connections=connections,
                        work=work,
                    )
                )  # fmt: skip
                if not wait([checking], timeout=KEEP_LOADED_SECONDS).done:
                    message = f"the check's rounds took more than {KEEP_LOADED_SECONDS} s more"
                    raise BenchError(message)
            check_result = checking.result()
        except BaseException:
            stopping.set()  # the check stops after its round; nothing waits for it to finish
            raise
        finally:
            for wrk in loads:
                if wrk.poll() is None:
                    wrk.kill()
                    wrk.communicate()
    return ManyProcesses(mixed=mixed, check=check_result)


def check_hidden_posts_vanish(
    port_a: int,
    port_b: int,
    check: Check,
    *,
    rounds: int = CHECK_ROUNDS,
    seconds: float = 0.0,
    under_load: Callable[[], bool] = lambda: False,
    stopping: threading.Event | None = None,
) -> CheckResult:
    """Hide a post through A, then B's next responses must not show its text; restore it
    through A, then B's next responses must show it again. ``rounds`` times, the posts
    in turn, spread over ``seconds`` (the load's duration). Raises BenchError when the
    check cannot judge (a page or an action answering something unexpected)."""
    if not check.targets:
        message = "the check needs at least one post to hide"
        raise BenchError(message)
    audiences = {"member": check.member.cookie, "visitor": ""}
    stale: list[StaleResponse] = []
    hide_ms: list[float] = []
    read_ms: list[float] = []
    under_load_rounds = 0
    started = time.monotonic()
    for number in range(1, rounds + 1):
        if stopping is not None and stopping.is_set():
            message = "the check was stopped"
            raise BenchError(message)
        # Spread over the load, so rounds see it at its start, middle and end.
        time.sleep(max(0.0, started + seconds * (number - 0.5) / rounds - time.monotonic()))
        target = check.targets[(number - 1) % len(check.targets)]
        texts = {
            audience: _post_text(port_b, target, cookie, audience)
            for audience, cookie in audiences.items()
        }
        for action, path, reason in (
            ("hide", target.hide_path, HIDE_REASON),
            ("restore", target.restore_path, RESTORE_REASON),
        ):
            began = time.perf_counter()
            status = _post_form(port_a, path, check.moderator, {"reason": reason})
            if action == "hide":
                hide_ms.append((time.perf_counter() - began) * 1000)
            if status != 302:
                message = f"{action} of post {target.post_id} through A answered {status}, not 302"
                raise BenchError(message)
            for audience, cookie in _alternate(audiences, number):
                began = time.perf_counter()
                page = load.fetch(port_b, target.page_path, cookie)
                read_ms.append((time.perf_counter() - began) * 1000)
                if page.status != 200:
                    message = f"{target.page_path} through B answered {page.status} ({audience})"
                    raise BenchError(message)
                shown = texts[audience] in _article(page.body.decode(), target.post_id)
                if shown == (action == "hide"):
                    stale.append(StaleResponse(number, target.post_id, audience, action))
        under_load_rounds += under_load()
    return CheckResult(
        rounds=rounds,
        rounds_under_load=under_load_rounds,
        responses=rounds * 2 * len(audiences),
        stale=stale,
        hide_ms=statistics.median(hide_ms),
        read_ms=statistics.median(read_ms),
    )


def _alternate(audiences: dict[str, str], number: int) -> list[tuple[str, str]]:
    """The audiences, the first one asking first in odd rounds and last in even ones: each
    gets to be B's very first response after the change."""
    ordered = list(audiences.items())
    return ordered if number % 2 else ordered[::-1]


def _post_text(port: int, target: CheckTarget, cookie: str, audience: str) -> str:
    """Read the page through B (filling its caches) and return the post's longest paragraph,
    what must vanish when it is hidden; raises BenchError if the post does not show."""
    page = load.fetch(port, target.page_path, cookie)
    article = _article(page.body.decode(), target.post_id) if page.status == 200 else ""
    paragraphs = [text for text in BODY_PARAGRAPH.findall(article) if text.strip()]
    if not paragraphs:
        message = (
            f"post {target.post_id} shows no text on {target.page_path} through B to the "
            f"{audience} (status {page.status}) before it is hidden: the check cannot judge"
        )
        raise BenchError(message)
    longest: str = max(paragraphs, key=len)
    return longest


def _article(page: str, post_id: int) -> str:
    """The post's own <article> on the page ("" when it is not there at all)."""
    found = re.search(ARTICLE.format(post_id=post_id), page, re.DOTALL)
    return found.group(1) if found else ""


def _post_form(port: int, path: str, member: Member, form: dict[str, str]) -> int:
    """POST a form as ``member`` with its CSRF token, as a browser does; return the status."""
    origin = f"http://127.0.0.1:{port}"
    body = urllib.parse.urlencode(form | {"csrfmiddlewaretoken": member.csrf_token})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Cookie": member.cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + path,
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


# --- The table, the lines under it, the verdicts --------------------------------------


def rows(
    result: MixedResult, *, queries: Mapping[str, int], key: str = "mixed"
) -> list[report.Row]:
    """The table's rows: every request of the run, then each kind. ``queries`` is each
    kind's query count for one request (``count_queries``); the all-requests row gets the
    mix's average, weighted by the kinds' shares."""
    audience = (
        f"{result.members} members, {result.servers} "
        f"process{'es' if result.servers > 1 else ''}, {result.connections} connections"
    )
    queries = dict(queries)
    queries["all"] = round(
        sum(queries[kind] * share for kind, share in SHARE_PER_THOUSAND.items()) / 1000
    )
    measured = [
        (result.overall, "mixed workload: all requests"),
        *((kind, f"mixed workload: {KIND_NAMES[kind.kind]}") for kind in result.kinds),
    ]
    return [
        report.Row(
            key=f"{key}-{kind.kind}",
            name=name,
            audience=audience,
            kind="mixed",
            requests_per_second=kind.requests_per_second,
            p50_ms=kind.p50_ms,
            p99_ms=kind.p99_ms,
            body_bytes=round(kind.mean_bytes),
            queries=queries[kind.kind],
            errors=result.errors if kind.kind == "all" else kind.errors,
            requests=kind.requests,
        )
        for kind, name in measured
    ]


def table(result: MixedResult, *, queries: Mapping[str, int]) -> str:
    """The rows as bench/report.py's table prints them ("bytes": the mean answer's)."""
    return report.table(rows(result, queries=queries))


def lines(mixed: MixedResult | None, many: ManyProcesses | None) -> list[str]:
    """The lines under the table: what was measured, and the check's result."""
    said = []
    for result in filter(None, [mixed, many.mixed if many else None]):
        unexpected = ", ".join(
            f"{status}: {count}" for status, count in sorted(result.overall.statuses.items())
        )
        said.append(
            f"mixed workload, {result.servers} process{'es' if result.servers > 1 else ''}: "
            f"{result.overall.requests} requests in {result.seconds:.1f} s by {result.members} "
            f"members over {result.connections} connections (one wrk thread each), "
            f"{result.threads} threads; {result.errors} errors ({result.socket_errors} socket "
            f"errors and timeouts"
            + (f"; unexpected answers: {unexpected}" if unexpected else "")
            + ")"
        )
    if many is not None:
        check = many.check
        stale = "; ".join(
            f"round {item.round}, post {item.post_id}, {item.audience} after {item.after}"
            for item in check.stale[:5]
        )
        said.append(
            f"two processes: {check.rounds} rounds of hiding a post through A and reading its "
            f"thread through B ({check.rounds_under_load} under load), {check.responses} of "
            f"B's responses judged, {check.stale_count} stale"
            + (f" ({stale})" if stale else "")
            + f"; hiding took {check.hide_ms:.1f} ms (median), B's pages {check.read_ms:.1f} ms"
        )
    return said


def verdicts(mixed: MixedResult | None, many: ManyProcesses | None) -> list[report.Verdict]:
    """Issue 19's targets: mixed p99 < 150 ms with no errors; two processes, none stale."""
    judged = []
    for result in filter(None, [mixed, many.mixed if many else None]):
        processes = f"{result.servers} process{'es' if result.servers > 1 else ''}"
        over = result.overall.p99_ms - MIXED_P99_MS
        judged.append(
            report.Verdict(
                f"mixed workload p99 < {MIXED_P99_MS:.0f} ms ({processes})",
                over < 0,
                f"p99 {result.overall.p99_ms:.1f} ms"
                + ("" if over < 0 else f", {over:.1f} ms over"),
            )
        )
        judged.append(
            report.Verdict(
                f"mixed workload: no errors ({processes})",
                result.errors == 0,
                f"{result.errors} errors of {result.overall.requests} requests",
            )
        )
    if many is not None:
        judged.append(
            report.Verdict(
                "two processes: no stale response after a hide or restore in the other",
                many.check.stale_count == 0,
                f"{many.check.stale_count} stale of {many.check.responses}",
            )
        )
    return judged


# --- Preparing it from a data set (Django set up, the server running) -----------------


def sign_in_members(port: int, usernames: Sequence[str], *, visit_path: str) -> list[Member]:
    """Sign each member in with Django's session machinery and visit ``visit_path`` once
    through the server, as a browser would, keeping the CSRF cookie and the form's token
    (the page must have a form: a thread page has the reply form).

    A member who has not accepted the guidelines in force (the large data set's members
    joined before ``hearth init`` published them) or whose welcome is due would be sent
    there by every page; their browser would accept and see it once, so that is done
    first, through the services.
    """
    from bench.dataset import sign_in  # noqa: PLC0415 - imports Hearth's models
    from bench.run import first_visit  # noqa: PLC0415 - bench.run may import this module

    members = []
    for username in usernames:
        accept_what_is_due(username)
        visitor = first_visit(port, visit_path, sign_in(username))
        if not visitor.form_token:
            message = f"{visit_path} has no form with a CSRF token for {username}"
            raise BenchError(message)
        members.append(Member(cookie=visitor.cookie_header, csrf_token=visitor.form_token))
    return members


def accept_what_is_due(username: str) -> None:
    """Accept the guidelines in force for the member and mark their welcome shown, through
    the services, as their browser would once (the large data set's members joined before
    ``hearth init`` published the guidelines: every page would send them there first)."""
    from hearth.accounts.models import User  # noqa: PLC0415 - Django is set up by now
    from hearth.welcome import selectors, services  # noqa: PLC0415

    member = User.objects.get(username=username)
    in_force = selectors.current_guidelines()
    if in_force is not None and selectors.accepted_number(member) < in_force.number:
        services.accept_guidelines(member=member, version=in_force)
    if selectors.is_welcome_due(member):
        services.mark_welcome_shown(member=member)


def thread_targets(thread_ids: range, *, reader: str) -> list[ThreadTarget]:
    """The threads among ``thread_ids`` that ``reader`` (any of the members) may read and
    reply to, with their pages, oldest first."""
    from django.urls import reverse  # noqa: PLC0415 - Django is set up by now

    from hearth.accounts.models import User  # noqa: PLC0415
    from hearth.forum.models import Thread  # noqa: PLC0415
    from hearth.forum.selectors import page_count, visible_categories  # noqa: PLC0415
    from hearth.forum.viewer import viewer_for  # noqa: PLC0415

    viewer = viewer_for(User.objects.get(username=reader))
    threads = Thread.objects.filter(
        pk__gte=thread_ids.start, pk__lt=thread_ids.stop, is_held=False, is_locked=False,
        category__in=visible_categories(viewer),
    ).only("pk", "last_position")  # fmt: skip
    return [
        ThreadTarget(
            thread_id=thread.pk,
            path=reverse("forum:thread", kwargs={"thread_id": thread.pk}),
            reply_path=reverse("forum:reply", kwargs={"thread_id": thread.pk}),
            pages=page_count(thread, newest_first=False),
        )
        for thread in threads.order_by("pk")
    ]


def reaction_paths(
    threads: Sequence[ThreadTarget], *, members: Sequence[str], count: int, seed: int = 19
) -> list[str]:
    """``count`` posts (at most) to react to, from random ``threads``: none written by the
    ``members`` (one cannot react to one's own post), none deleted, hidden or held."""
    import random  # noqa: PLC0415

    from django.urls import reverse  # noqa: PLC0415 - Django is set up by now

    from hearth.forum.models import Post  # noqa: PLC0415

    rng = random.Random(seed)
    chosen = rng.sample([thread.thread_id for thread in threads], min(len(threads), count))
    posts = Post.objects.filter(
        thread_id__in=chosen, is_deleted=False, is_hidden=False, is_held=False
    ).exclude(author__username__in=list(members))
    ids = sorted(posts.values_list("pk", flat=True))
    picked = rng.sample(ids, min(len(ids), count))
    return [reverse("forum:react", kwargs={"post_id": post_id}) for post_id in sorted(picked)]


def check_targets(thread_id: int, *, member: str, count: int = 5) -> list[CheckTarget]:
    """Replies on the first page of a thread in a public category, for the check: not the
    checking member's own (an author still reads a hidden post), none hidden or held."""
    from django.urls import reverse  # noqa: PLC0415 - Django is set up by now

    from hearth.forum.models import Post, Thread, Visibility  # noqa: PLC0415

    thread = Thread.objects.select_related("category").get(pk=thread_id)
    if thread.category.visibility != Visibility.PUBLIC:
        message = f"thread {thread_id} is not in a public category: visitors cannot read it"
        raise BenchError(message)
    posts = (
        Post.objects.filter(
            thread_id=thread_id, position__range=(2, POSTS_PER_PAGE), is_deleted=False,
            is_hidden=False, is_held=False,
        )
        .exclude(author__username=member)
        .order_by("position")
        .values_list("pk", flat=True)[:count]
    )  # fmt: skip
    path = reverse("forum:thread", kwargs={"thread_id": thread_id})
    return [
        CheckTarget(
            post_id=post_id,
            page_path=path,
            hide_path=reverse(
                "moderation:post_action", kwargs={"post_id": post_id, "action": "hide"}
            ),
            restore_path=reverse(
                "moderation:post_action", kwargs={"post_id": post_id, "action": "restore"}
            ),
        )
        for post_id in posts
    ]


def count_queries(port: int, workload: Workload, visitor: Visitor) -> dict[str, int]:
    """One request of each kind as ``visitor`` (a signed-in member who wrote none of the
    posts reacted to), its queries counted in this process with Django's test client
    (``bench.run.count_queries``: the server's settings and database)."""
    from bench.run import count_queries as count  # noqa: PLC0415

    thread = workload.threads[0]
    key = "m" + secrets.token_hex(4)
    return {
        READ: count("get", thread.path, visitor, port, expect=200),
        REACTION: count(
            "post", workload.react_paths[0], visitor, port, expect=302, form={"kind": "hug"}
        ),
        DRAFT: count(
            "post",
            workload.draft_path,
            visitor,
            port,
            expect=200,
            form={"thread": str(thread.thread_id), "body": workload.body},
        ),
        REPLY: count(
            "post",
            thread.reply_path,
            visitor,
            port,
            expect=302,
            form={"request_key": key, "body": workload.body},
        ),
    }


# --- On its own: python -m bench.mixed ------------------------------------------------


@dataclass(frozen=True)
class Record:
    """What ``python -m bench.mixed --json`` writes."""

    database: str
    scale: str
    redis: bool
    mixed: MixedResult
    many: ManyProcesses | None
    queries: dict[str, int]
    verdicts: list[report.Verdict]


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.mixed", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--scale", choices=["tiny", "large"], default="tiny")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--members", type=int, default=MEMBERS, help=f"members signed in (default {MEMBERS})"
    )
    parser.add_argument("--check-rounds", type=int, default=CHECK_ROUNDS)
    parser.add_argument(
        "--no-redis", action="store_true", help="one process only, its cache not in Redis"
    )
    parser.add_argument(
        "--cache-dir", type=Path, default=None,
        help="keep the built data set here (bench/large_dataset.py); by default nothing is kept",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    arguments = parser.parse_args(argv)
    if arguments.duration < 1 or arguments.warmup < 0 or arguments.connections < 1:
        parser.error("--duration and --connections must be at least 1, --warmup at least 0")
    if arguments.members < 2 or arguments.check_rounds < 1:
        parser.error("--members must be at least 2 and --check-rounds at least 1")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        load.find_wrk()
        record = run_on_its_own(arguments)
    except BenchError as error:
        print(f"bench.mixed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench.mixed: interrupted; everything it started has been stopped", file=sys.stderr)
        return 130
    print(table(record.mixed, queries=record.queries))
    if record.many is not None:
        print(table(record.many.mixed, queries=record.queries).split("\n", 2)[2])
    print("\n" + "\n".join(lines(record.mixed, record.many)) + "\n\ntargets:")
    print("\n".join(report.verdict_lines(record.verdicts)))
    if arguments.json is not None:
        arguments.json.write_text(json.dumps(asdict(record), indent=2) + "\n")
    return 0


def run_on_its_own(arguments: argparse.Namespace) -> Record:
    """Build (or restore) the data set, serve it, run the workload on one process, then on
    two with the check (unless --no-redis); stop everything on the way out."""
    from bench import large_dataset  # noqa: PLC0415
    from bench.run import production_environment  # noqa: PLC0415
    from bench.server import postgres_cluster, redis_server  # noqa: PLC0415

    scale = large_dataset.SCALES[arguments.scale]
    cache = large_dataset.LargeCache.for_run(
        scale, database=arguments.database, directory=arguments.cache_dir
    )
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hearth-mixed-")))
        cluster = None
        if arguments.database == "postgres":
            say("starting a throwaway PostgreSQL")
            cluster = stack.enter_context(postgres_cluster(seed=cache.postgres_seed()))
        port = free_port()
        environment = production_environment(work, cluster.url if cluster else "", port)
        environment["HEARTH_WORKERS"] = str(WORKERS)
        if not arguments.no_redis:
            say("starting a throwaway Redis")
            environment["REDIS_URL"] = stack.enter_context(redis_server(work / "redis.log"))
        cache.restore_files(work / "data")
        say("hearth init")
        hearth_init(environment)
        os.environ.clear()  # this process signs in and counts queries with the server's settings
        os.environ.update(environment)
        import django  # noqa: PLC0415 - only once the environment above is in place

        django.setup()
        from django.db import connections  # noqa: PLC0415

        stack.callback(connections.close_all)
        facts = cache.build_or_load(cluster=cluster, say=say)
        say("starting hearth serve")
        first = stack.enter_context(
            hearth_server(
                environment=environment, port=port, workers=WORKERS, log_path=work / "server-a.log"
            )
        )
        try:
            return _measure(
                arguments, facts=facts, first=first, environment=environment, work=work,
                stack=stack,
            )  # fmt: skip
        except BenchError as error:
            message = f"{error}\n--- server A's log (last lines) ---\n{first.log_tail()}"
            raise BenchError(message) from error
    raise AssertionError  # unreachable: the ExitStack does not swallow exceptions


def _measure(
    arguments: argparse.Namespace,
    *,
    facts: LargeDataset,
    first: HearthServer,
    environment: dict[str, str],
    work: Path,
    stack: ExitStack,
) -> Record:
    return measure_workload(
        facts=facts, first=first, environment=environment, work=work, stack=stack,
        member_count=arguments.members, duration=arguments.duration, warmup=arguments.warmup,
        connections=arguments.connections, check_rounds=arguments.check_rounds,
        two_processes=not arguments.no_redis, database=arguments.database,
        scale=arguments.scale,
    )  # fmt: skip


def measure_workload(
    *,
    facts: LargeDataset,
    first: HearthServer,
    environment: dict[str, str],
    work: Path,
    stack: ExitStack,
    member_count: int,
    duration: int,
    warmup: int,
    connections: int,
    check_rounds: int,
    two_processes: bool,
    database: str,
    scale: str,
) -> Record:
    """The mixed workload against ``first`` (already serving ``facts``), then, with
    ``two_processes`` (it needs Redis), against it and a second server with the check.
    The second server is stopped with ``stack``."""
    from bench.dataset import sign_in  # noqa: PLC0415 - imports Hearth's models
    from bench.run import first_visit  # noqa: PLC0415

    usernames = facts.mixed_members[:member_count]
    reader = usernames[0]
    threads = thread_targets(range(facts.first_thread_id, facts.last_thread_id + 1), reader=reader)
    checked = check_targets(facts.medium_thread_id, member=reader)
    say(f"signing in {len(usernames)} members and the moderator")
    members = sign_in_members(first.port, usernames, visit_path=threads[0].path)
    workload = Workload(
        members=members,
        threads=threads,
        react_paths=reaction_paths(threads, members=usernames, count=1000),
    )
    reader_visitor = first_visit(first.port, threads[0].path, sign_in(reader))
    queries = count_queries(first.port, workload, reader_visitor)
    say(
        f"mixed workload, one process: {warmup} s warm-up, {duration} s "
        f"({len(threads)} threads, {len(workload.react_paths)} posts to react to)"
    )
    mixed = run_mixed(
        [first.port], workload, seconds=duration, connections=connections, work=work,
        warmup=warmup,
    )  # fmt: skip
    many = None
    if two_processes:
        say("starting a second hearth serve")
        second = stack.enter_context(
            another_hearth_server(
                environment=environment, workers=WORKERS, log_path=work / "server-b.log"
            )
        )
        [moderator] = sign_in_members(first.port, [facts.moderator], visit_path=threads[0].path)
        check = Check(moderator=moderator, member=members[0], targets=checked)
        say(f"mixed workload, two processes, with {check_rounds} rounds of the check")
        try:
            many = run_many_processes(
                first, second, workload, check, seconds=duration, connections=connections,
                work=work, warmup=warmup, rounds=check_rounds,
            )  # fmt: skip
        except BenchError as error:
            message = f"{error}\n--- server B's log (last lines) ---\n{second.log_tail()}"
            raise BenchError(message) from error
    return Record(
        database=database,
        scale=scale,
        redis=two_processes,
        mixed=mixed,
        many=many,
        queries=queries,
        verdicts=verdicts(mixed, many),
    )


if __name__ == "__main__":
    sys.exit(main())
