"""Expired entries of the file and database caches are deleted within a minute."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings

from hearth.core.cache_retention import forget_expired_cache_entries
from hearth.core.housekeeping import run_housekeeping

SIGN_IN_LIMIT_KEY = "allauth:rl:login_failed:ip:192.0.2.1"  # an entry that names someone


def _one_expired_one_kept() -> None:
    cache = caches["default"]
    cache.set(SIGN_IN_LIMIT_KEY, [time.time()], timeout=1)
    cache.set("kept", 1, timeout=600)
    time.sleep(1.1)


def test_the_file_cache_deletes_expired_entries(tmp_path: Path) -> None:
    backend = "django.core.cache.backends.filebased.FileBasedCache"
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": tmp_path}}):
        _one_expired_one_kept()
        assert len(list(tmp_path.glob("*.djcache"))) == 2

        assert forget_expired_cache_entries() == 1

        assert len(list(tmp_path.glob("*.djcache"))) == 1
        assert caches["default"].get("kept") == 1


@pytest.mark.django_db
def test_the_database_cache_deletes_expired_rows() -> None:
    backend = "django.core.cache.backends.db.DatabaseCache"
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": "retention_test"}}):
        call_command("createcachetable", verbosity=0)
        _one_expired_one_kept()

        assert run_housekeeping()["expired cache entries forgotten"] == 1

        assert caches["default"].get("kept") == 1
        assert caches["default"].get(SIGN_IN_LIMIT_KEY) is None
