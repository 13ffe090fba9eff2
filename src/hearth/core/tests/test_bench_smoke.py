"""`make bench` keeps working, and its reference URLs exist only in the benchmark's own server.

The smoke test runs the real harness (bench/) with a tiny data set for one
second per scenario, without warm-up (and 20 live streams). It asserts that every scenario was
measured, that every page has its two ratios (to the bare ceiling and to the Hearth stack
floor), that no post was lost or duplicated and that every live stream heard
every reply once, never how fast anything was. It never installs django-spirit
(``--no-spirit``): the tests below check the spirit part's pure pieces instead.
"""

import ast
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest
from bench import report, spirit
from bench.ceiling import stack_floor
from bench.server import PostgresCluster
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve
from pytest_django import DjangoAssertNumQueries

import hearth

PROJECT_ROOT = Path(hearth.__file__).resolve().parents[2]
FLOOR_PATH = "/__bench__/floor/"
BARE_PATH = "/__bench__/bare/"
SCENARIO_KEYS = {
    f"{page}-{audience}"
    for page in ("floor", "medium-first", "medium-middle", "big-first", "big-deep",
                 "category", "home")
    for audience in ("member", "anonymous")
} | {"bare-ceiling", "notifications-member", "search-member", "post", "post-16"} | {
    "api-html", "api-json-token", "api-json-session"
}  # fmt: skip
WRK_MISSING = shutil.which("wrk") is None and os.environ.get("HEARTH_REQUIRE_ALL") != "1"


def _clean_environment(**extra: str) -> dict[str, str]:
    kept = {"PATH", "HOME", "LANG", "HEARTH_PG_BIN"}
    environment = {key: value for key, value in os.environ.items() if key in kept}
    python_path = [str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]
    return environment | {"PYTHONPATH": os.pathsep.join(filter(None, python_path))} | extra


@pytest.mark.skipif(WRK_MISSING, reason="wrk is not installed (apt-get install -y wrk)")
def test_make_bench_measures_every_scenario_with_a_tiny_data_set(tmp_path: Path) -> None:
    # The PostgreSQL pass of the suite smoke-tests the harness's PostgreSQL path.
    database = "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"

    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.run", "--tiny", "--duration", "1", "--warmup", "0",
         "--live-streams", "20", "--no-spirit", "--database", database,
         "--results-dir", str(tmp_path)],
        cwd=PROJECT_ROOT, env=_clean_environment(), capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    [record_path] = tmp_path.glob(f"*-{database}.json")
    record = json.loads(record_path.read_text())
    rows = {row["key"]: row for row in record["rows"]}
    assert set(rows) == SCENARIO_KEYS
    for row in rows.values():
        assert f"{row['name']} ({row['audience']})" in result.stdout
        assert row["requests"] > 0, row
    assert rows["bare-ceiling"]["kind"] == "ceiling"
    assert rows["bare-ceiling"]["queries"] == 0
    assert rows["bare-ceiling"]["body_bytes"] == rows["floor-member"]["body_bytes"]
    for row in rows.values():  # every Hearth page against both references of this run
        if row["kind"] in {"thread", "list", "api"}:
            assert row["bare_ceiling_ratio"] > 0, row
            assert row["stack_floor_ratio"] > 0, row
    assert rows["floor-anonymous"]["bare_ceiling_ratio"] > 0
    assert "÷ bare" in result.stdout
    assert "÷ floor" in result.stdout
    assert record["spirit"]["not_measured"] == "left out (--no-spirit)"
    assert "django-spirit 0.14.3 thread page" in result.stdout
    for posting in (record["posting"], record["many_writers_posting"]):
        assert (posting["lost"], posting["duplicated"], posting["errors"]) == (0, 0, 0)
    assert record["many_writers_posting"]["writers"] == 16
    assert record["large_posts"]["pages_read"] >= 3  # the largest posts were read
    cold = record["cold_start"]  # the first request after the start, and the warm-up
    assert cold["first_request_ms"] > 0
    assert 1 <= cold["passes_until_warm"] <= 8
    assert cold["pages_per_pass"] == 13
    assert record["large_posts"]["peak_rss_mib"] > 0
    live = record["live"]  # 20 streams held open by bench.live_clients, replies reaching them
    assert live["streams"] == 20
    assert live["rss_streams_mib"] > 0
    assert live["page_with"]["requests"] > 0
    assert live["replies"] > 0
    assert live["deliveries"] == live["deliveries_expected"] == 20 * live["replies"]
    assert (live["lost"], live["duplicated"], live["unexpected"]) == (0, 0, 0)
    assert live["posting_with"]["errors"] == live["posting_without"]["errors"] == 0
    assert "targets:" in result.stdout


@pytest.mark.parametrize("path", [FLOOR_PATH, BARE_PATH])
def test_the_reference_urls_are_not_in_the_products_urls(member_client: Client, path: str) -> None:
    with pytest.raises(Resolver404):
        resolve(path)

    assert member_client.get(path).status_code == 404


@pytest.mark.django_db
def test_the_stack_floor_serves_its_file_from_memory_without_a_query(
    tmp_path: Path,
    django_assert_num_queries: DjangoAssertNumQueries,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes("<p>A thread page, as it was served. ✓</p>".encode())
    request = RequestFactory().get(FLOOR_PATH)

    monkeypatch.setenv("BENCH_CEILING_PAGE", str(page))
    with django_assert_num_queries(0):
        response = stack_floor(request)

    assert response.status_code == 200
    assert response.content == page.read_bytes()
    assert response["Content-Type"] == "text/html; charset=utf-8"


def _get_through_bench_wsgi(path: str) -> tuple[str, dict[str, str], bytes]:
    from bench.wsgi import application  # noqa: PLC0415 - builds Hearth's WSGI handler

    environ: dict[str, object] = {}
    setup_testing_defaults(environ)
    environ |= {"PATH_INFO": path, "HTTP_HOST": "127.0.0.1", "SERVER_NAME": "127.0.0.1"}
    answered: list[tuple[str, dict[str, str]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None, /
    ) -> Callable[[bytes], object]:
        answered.append((status, dict(headers)))
        return lambda _data: None

    body = b"".join(application(environ, start_response))
    status, headers = answered[0]
    return status, headers, body


@pytest.mark.django_db
def test_the_bare_ceiling_runs_no_middleware_and_every_other_path_reaches_hearth(
    tmp_path: Path,
    django_assert_num_queries: DjangoAssertNumQueries,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes("<p>A thread page, as it was served. ✓</p>".encode())
    monkeypatch.setenv("BENCH_CEILING_PAGE", str(page))

    with django_assert_num_queries(0):
        status, headers, body = _get_through_bench_wsgi(BARE_PATH)
    hearth_status, hearth_headers, _body = _get_through_bench_wsgi("/healthz")

    assert status.startswith("200")
    assert body == page.read_bytes()
    # Hearth's middleware adds these to every answer, its health check's included.
    assert not {"X-Frame-Options", "Vary"} & set(headers)
    assert hearth_status.startswith("200")
    assert {"X-Frame-Options", "Vary"} <= set(hearth_headers)


def test_the_benchmarks_settings_mount_the_stack_floor(tmp_path: Path) -> None:
    probe = "from django.urls import reverse; print(reverse('bench_stack_floor'))"

    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "hearth", "shell", "-c", probe],
        env=_clean_environment(
            HEARTH_DATA_DIR=str(tmp_path),
            BENCH_CEILING_PAGE=str(tmp_path / "page.html"),
            DJANGO_SETTINGS_MODULE="bench.settings",
        ),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == FLOOR_PATH


# --- the spirit part's pure pieces: nothing installed, nothing served ---------------------


def _row(key: str, kind: str, audience: str, requests_per_second: float) -> report.Row:
    return report.Row(
        key=key, name=key, audience=audience, kind=kind,
        requests_per_second=requests_per_second, p50_ms=10.0, p99_ms=20.0, body_bytes=1000,
        queries=5, errors=0, requests=int(requests_per_second * 10),
    )  # fmt: skip


@pytest.mark.database_neutral
def test_every_hearth_page_is_compared_with_the_bare_ceiling_and_its_audiences_floor() -> None:
    references = [
        _row("bare-ceiling", "ceiling", "anyone", 4000.0),
        _row("floor-member", "floor", "member", 1000.0),
        _row("floor-anonymous", "floor", "anonymous", 2000.0),
    ]
    pages = [
        _row("medium-first-member", "thread", "member", 500.0),
        _row("medium-first-anonymous", "thread", "anonymous", 1000.0),
        _row("post", "post", "4 writers", 100.0),
        _row("spirit-member", "spirit", "member", 50.0),
    ]

    rows = {row.key: row for row in report.with_ratios(references + pages, references)}

    assert (
        rows["medium-first-member"].bare_ceiling_ratio,
        rows["medium-first-member"].stack_floor_ratio,
    ) == (0.125, 0.5)
    assert (
        rows["medium-first-anonymous"].bare_ceiling_ratio,
        rows["medium-first-anonymous"].stack_floor_ratio,
    ) == (0.25, 0.5)
    assert (rows["floor-member"].bare_ceiling_ratio, rows["floor-member"].stack_floor_ratio) == (
        0.25,
        None,
    )
    for key in ("bare-ceiling", "post", "spirit-member"):
        assert (rows[key].bare_ceiling_ratio, rows[key].stack_floor_ratio) == (None, None)


@pytest.mark.database_neutral
def test_hearth_over_spirit_is_judged_against_both_of_spirits_pages() -> None:
    rows = [
        _row("spirit-hearth-member", "thread", "member", 600.0),
        _row("spirit-anonymous", "spirit", "anonymous", 50.0),
        _row("spirit-member", "spirit", "member", 40.0),
    ]

    compared = spirit.comparison(rows, setup_seconds=12.0, worker_rss_mib=70.0, server_log="")
    verdicts = {verdict.target: verdict for verdict in report.judge_spirit(compared)}

    assert (compared.hearth_over_anonymous, compared.hearth_over_member) == (12.0, 15.0)
    anonymous = verdicts["Hearth signed-in thread page >= 10x django-spirit's anonymous one"]
    signed_in = verdicts["Hearth signed-in thread page >= 20x django-spirit's signed-in one"]
    assert anonymous.met
    assert not signed_in.met
    assert signed_in.detail == "15.0x, in rounds with it, 5.0x short"
    assert (
        "is 12.0x spirit's anonymous page (50.0 req/s) and 15.0x its signed-in page"
        in (report.spirit_lines(compared)[0])
    )


@pytest.mark.database_neutral
def test_spirit_not_measured_says_why_in_the_table_and_is_not_judged() -> None:
    skipped = spirit.not_measured("pip install failed (1): no network")

    table = report.table(
        [], not_measured={"django-spirit 0.14.3 thread page": skipped.not_measured}
    )

    assert table.splitlines()[-1].split("  not measured: ") == [
        "django-spirit 0.14.3 thread page",
        "pip install failed (1): no network",
    ]
    assert report.judge_spirit(skipped) == []
    assert report.spirit_lines(skipped) == [
        "django-spirit 0.14.3: not measured: pip install failed (1): no network"
    ]


@pytest.mark.database_neutral
def test_spirits_settings_point_its_production_template_at_the_runs_cluster(tmp_path: Path) -> None:
    def unused(*_arguments: object) -> None:
        raise AssertionError

    cluster = PostgresCluster(
        url="", restart=unused, snapshot=unused, create_database=unused,
        host=tmp_path / "it's a socket dir", port=54321,
    )  # fmt: skip

    text = spirit.settings_module(
        cluster=cluster, secret_key="k'ey", origin="http://127.0.0.1:8123"
    )

    module = ast.parse(text)
    values = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in module.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    [star_import] = [node for node in module.body if isinstance(node, ast.ImportFrom)]
    assert star_import.module == "spiritsite.settings.prod"
    assert values["DATABASES"]["default"] == {
        "ENGINE": "django.db.backends.postgresql", "NAME": "spirit", "USER": "hearth",
        "HOST": str(tmp_path / "it's a socket dir"), "PORT": "54321", "CONN_MAX_AGE": 600,
    }  # fmt: skip
    assert values["SECRET_KEY"] == "k'ey"
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1"]
    assert values["ST_SITE_URL"] == "http://127.0.0.1:8123/"


@pytest.mark.database_neutral
def test_spirits_loader_gets_the_thread_in_order_and_is_valid_python() -> None:
    thread = spirit.Thread(
        title="A long conversation",
        reader="bench_reader",
        posts=[spirit.Post(author="bench_member_01", body="First.\n\nSecond paragraph."),
               spirit.Post(author="bench_member_02", body="A reply.")],
    )  # fmt: skip

    document = json.loads(spirit.thread_document(thread))
    compile(spirit.LOADER_SCRIPT, "load_thread.py", "exec")

    assert document == {
        "title": "A long conversation",
        "reader": "bench_reader",
        "posts": [
            {"author": "bench_member_01", "body": "First.\n\nSecond paragraph."},
            {"author": "bench_member_02", "body": "A reply."},
        ],
    }


@pytest.mark.database_neutral
def test_the_installer_gets_its_own_settings_and_nothing_of_hearths() -> None:
    outside = {
        "PATH": "/usr/bin", "HOME": "/home/someone", "PIP_INDEX_URL": "https://mirror.invalid",
        "HTTPS_PROXY": "http://proxy.invalid", "SSL_CERT_FILE": "/etc/ssl/bundle.pem",
        "DATABASE_URL": "postgres://secret", "SECRET_KEY": "secret", "DJANGO_SETTINGS_MODULE": "x",
    }  # fmt: skip

    kept = spirit.installer_environment(outside)

    assert set(kept) == {"PATH", "HOME", "PIP_INDEX_URL", "HTTPS_PROXY", "SSL_CERT_FILE"}


def test_a_large_run_measures_the_parts_the_large_data_set_has() -> None:
    from bench import run  # noqa: PLC0415 - imports the whole harness only here

    everything = run.parse_arguments(["--scale", "large"])
    chosen = run.parse_arguments(["--scale", "large", "--only", "pages,api"])
    both = run.parse_arguments(["--scale", "both", "--only", "pages,mixed,search"])

    assert everything.only == set(run.LARGE_SCALE_PARTS)
    assert {"pages", "posting", "watchers", "live", "mixed"} <= everything.only
    assert chosen.only == {"pages"}
    assert both.only == {"pages", "mixed"}
    assert run.BOTH == ("twin", "large")
    assert run.parse_arguments(["--scale", "twin"]).built == "small"  # the builder's SMALL
    assert both.built is None  # measured by two child processes, twin then large
    for wrong in ("large", "twin", "both"):
        with pytest.raises(SystemExit):
            run.parse_arguments(["--scale", wrong, "--tiny"])


def _results(rows: list[report.Row], description: str) -> report.Measured:
    return report.Measured(rows=rows, description=description)


def test_both_runs_each_size_in_a_child_with_the_same_options() -> None:
    from bench import run  # noqa: PLC0415 - imports the whole harness only here

    argv = ["--database", "sqlite", "--scale", "both", "--duration", "5", "--scale=both"]

    assert run._without_scale(argv) == ["--database", "sqlite", "--duration", "5"]


@pytest.mark.database_neutral
def test_a_runs_record_gives_its_rows_back(tmp_path: Path) -> None:
    row = _row("home-member", "list", "member", 300.0)
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"rows": [asdict(row)], "dataset": {"description": "the twin"}}))

    assert report.measured_in(record) == report.Measured(rows=[row], description="the twin")


@pytest.mark.database_neutral
def test_both_sizes_side_by_side_judge_each_page_within_15_percent_and_its_queries() -> None:
    small = _results(
        [
            _row("medium-first-member", "thread", "member", 400.0),
            _row("home-member", "list", "member", 500.0),
            _row("search-member", "search", "member", 200.0),
            _row("post", "post", "4 writers", 100.0),
        ],
        "the small set",
    )
    large_home = replace(_row("home-member", "list", "member", 300.0), queries=6)
    large = _results(
        [
            _row("medium-first-member", "thread", "member", 360.0),  # 90%: within 15%
            large_home,  # 60%, and a query more
            _row("search-member", "search", "member", 100.0),
            _row("post", "post", "4 writers", 50.0),  # not a page: shown, not judged
        ],
        "the large set",
    )

    text = report.side_by_side(small, large)

    verdicts = [
        line.strip() for line in text.splitlines() if line.strip().startswith(("met", "MISSED"))
    ]
    assert "the small set" in text
    assert "the large set" in text
    assert any(line.startswith("post (4 writers)") and "50%" in line for line in text.splitlines())
    assert sum(line.startswith("met") for line in verdicts) == 3
    missed = [line for line in verdicts if line.startswith("MISSED")]
    assert len(missed) == 3
    assert any("home-member (member) on the large set within 15%" in line for line in missed)
    assert any("home-member (member): the same queries" in line for line in missed)
    assert any("search-member (member) on the large set within 15%" in line for line in missed)
