"""Read replicas: a visitor's GET reads one; members, writes, transactions and the pages
the shared page cache keeps read the primary (hearth.core.replicas)."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from pytest_django.fixtures import Settings

import hearth
from hearth.accounts.models import User
from hearth.core import replicas
from hearth.core.page_cache import shared_with_visitors

PROJECT_ROOT = Path(hearth.__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _one_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica1"])


def _where_reads_go(request: HttpRequest) -> HttpResponse:
    return HttpResponse(replicas.ReplicaRouter().db_for_read(User))


def _through_middleware(view: Callable[..., HttpResponse], request: HttpRequest) -> str:
    request._csp_nonce = "nonce"  # type: ignore[attr-defined]  # as the CSP middleware sets it
    return replicas.VisitorReadsFromReplicaMiddleware(view)(request).content.decode()


def test_a_visitors_get_reads_a_replica() -> None:
    assert _through_middleware(_where_reads_go, RequestFactory().get("/")) == "replica1"
    assert _through_middleware(_where_reads_go, RequestFactory().head("/")) == "replica1"


@pytest.mark.parametrize(
    "request_of",
    [
        pytest.param(
            lambda: RequestFactory().get(
                "/", headers={"cookie": f"{settings.SESSION_COOKIE_NAME}=x"}
            ),
            id="a member (session cookie)",
        ),
        pytest.param(
            lambda: RequestFactory().get("/", headers={"authorization": "Bearer x"}),
            id="an API client",
        ),
        pytest.param(lambda: RequestFactory().post("/"), id="a POST"),
    ],
)
def test_members_api_clients_and_writes_read_the_primary(
    request_of: Callable[[], HttpRequest],
) -> None:
    assert _through_middleware(_where_reads_go, request_of()) == "default"


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_even_a_visitor_reads_the_primary() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        with transaction.atomic():
            return _where_reads_go(request)

    assert _through_middleware(view, RequestFactory().get("/")) == "default"


def test_writes_and_migrations_use_the_primary_only() -> None:
    router = replicas.ReplicaRouter()

    with replicas.replica_reads():
        assert router.db_for_write(User) == "default"
    assert router.allow_migrate("default", "forum")
    assert not router.allow_migrate("replica1", "forum")


def test_outside_a_request_reads_use_the_primary() -> None:
    assert replicas.ReplicaRouter().db_for_read(User) == "default"


@pytest.mark.django_db(transaction=True)  # outside a transaction, as a request is
def test_a_page_the_shared_cache_keeps_is_made_from_the_primary(
    settings: Settings,
) -> None:
    view = shared_with_visitors(lambda: ["pages:test"])(_where_reads_go)

    settings.HEARTH_PUBLIC_PAGE_CACHE = True
    assert _through_middleware(view, RequestFactory().get("/kept/")) == "default"
    settings.HEARTH_PUBLIC_PAGE_CACHE = False  # nothing is kept: the replica serves it
    assert _through_middleware(view, RequestFactory().get("/not-kept/")) == "replica1"


def _settings_with(environment: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    kept = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    code = (
        "from hearth.settings import base as s; "
        "print(sorted(s.DATABASES), getattr(s, 'DATABASE_ROUTERS', []), s.MIDDLEWARE[1], "
        "s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS'), "
        "s.DATABASES.get('replica2', {}).get('HOST'))"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", code],
        env=kept
        | {"PYTHONPATH": str(PROJECT_ROOT / "src"), "HEARTH_DATA_DIR": str(tmp_path)}
        | environment,
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def test_replicas_and_pgbouncer_are_configured_by_the_environment(tmp_path: Path) -> None:
    result = _settings_with(
        {
            "DATABASE_URL": "postgres://hearth@primary.internal/hearth",
            "DATABASE_REPLICA_URLS": (
                "postgres://hearth@replica-a.internal/hearth,"
                "postgres://hearth@%2Frun%2Fpostgresql/hearth"
            ),
            "HEARTH_PGBOUNCER": "true",
        },
        tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "['default',", "'replica1',", "'replica2']",
        "['hearth.core.replicas.ReplicaRouter']",
        "hearth.core.replicas.VisitorReadsFromReplicaMiddleware",
        "True",
        "/run/postgresql",
    ]  # fmt: skip


def test_without_replicas_there_is_no_router_and_no_middleware(tmp_path: Path) -> None:
    result = _settings_with({"DATABASE_URL": "postgres://hearth@primary.internal/hearth"}, tmp_path)

    assert result.returncode == 0, result.stderr
    assert "replica" not in result.stdout.lower()
    assert result.stdout.split()[-2] == "False"  # server-side cursors, without PgBouncer


def test_replicas_without_postgresql_are_refused_with_a_reason(tmp_path: Path) -> None:
    result = _settings_with(
        {"DATABASE_REPLICA_URLS": "postgres://hearth@replica-a.internal/hearth"}, tmp_path
    )

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS needs DATABASE_URL (PostgreSQL)" in result.stderr
