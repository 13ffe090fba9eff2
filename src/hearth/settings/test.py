"""Settings for the test suite: the real configuration with fast, local edges."""

import atexit
import os
import shutil
import tempfile

# Each test process gets its own data directory (SQLite file, media, mail,
# secret key) so runs never touch ./var or each other.
_data_dir = tempfile.mkdtemp(prefix="hearth-test-")
atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)
os.environ["HEARTH_DATA_DIR"] = _data_dir

from hearth.settings.base import *  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {"BACKEND": "hearth.core.memory_cache.ProcessMemoryCache"},
}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory, so concurrency tests see real SQLite
    # locking (busy timeout, IMMEDIATE transactions); fsync off for speed.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"]["OPTIONS"],
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA busy_timeout=5000; "
            "PRAGMA foreign_keys=ON;"
        ),
    }

# Every {% shared %} block is rendered again on each use and compared with its
# shared copy: a value missing from its key fails the test that shows it.
HEARTH_CHECK_SHARED_FRAGMENTS = True

# The member cache off, as production runs without Redis: the pinned query counts are
# that configuration's. accounts/tests/test_member_cache.py turns it on and checks that
# each kind of change to a member is seen by the next request.
HEARTH_MEMBER_CACHE = False
# Visitors' shared pages off for the same reason (core/tests/test_page_cache.py turns it on).
HEARTH_PUBLIC_PAGE_CACHE = False
