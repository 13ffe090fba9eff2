"""`make bench` keeps working, and its ceiling URL exists only in the benchmark's own settings.

The smoke test runs the real harness (bench/) with a tiny data set for one
second per scenario, without warm-up (and 20 live streams). It asserts that every scenario was
measured, that no post was lost or duplicated and that every live stream heard
every reply once, never how fast anything was.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bench.ceiling import ceiling
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve
from pytest_django import DjangoAssertNumQueries

import hearth

PROJECT_ROOT = Path(hearth.__file__).resolve().parents[2]
CEILING_PATH = "/__bench__/ceiling/"
SCENARIO_KEYS = {
    f"{page}-{audience}"
    for page in ("ceiling", "medium-first", "medium-middle", "big-first", "big-deep",
                 "category", "home")
    for audience in ("member", "anonymous")
} | {"post"} | {"api-html", "api-json-token", "api-json-session"}  # fmt: skip
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
         "--live-streams", "20", "--database", database, "--results-dir", str(tmp_path)],
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
    assert record["posting"]["lost"] == 0
    assert record["posting"]["duplicated"] == 0
    assert record["large_posts"]["pages_read"] >= 3  # the largest posts were read
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


def test_the_ceiling_url_is_not_in_the_products_urls(member_client: Client) -> None:
    with pytest.raises(Resolver404):
        resolve(CEILING_PATH)

    assert member_client.get(CEILING_PATH).status_code == 404


@pytest.mark.django_db
def test_the_ceiling_serves_its_file_from_memory_without_a_query(
    tmp_path: Path,
    django_assert_num_queries: DjangoAssertNumQueries,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes("<p>A thread page, as it was served. ✓</p>".encode())
    request = RequestFactory().get(CEILING_PATH)

    monkeypatch.setenv("BENCH_CEILING_PAGE", str(page))
    with django_assert_num_queries(0):
        response = ceiling(request)

    assert response.status_code == 200
    assert response.content == page.read_bytes()
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_the_benchmarks_settings_mount_the_ceiling(tmp_path: Path) -> None:
    probe = "from django.urls import reverse; print(reverse('bench_ceiling'))"

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
    assert result.stdout.strip().splitlines()[-1] == CEILING_PATH
