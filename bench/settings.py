"""Settings for the server ``make bench`` measures: production's, plus the stack floor's URL.

The product's settings and URLconf know nothing of the benchmark; this module
takes them as they are and only points ``ROOT_URLCONF`` at ``bench.urls``,
which adds ``/__bench__/floor/`` to Hearth's own URLs. The bare ceiling
(``/__bench__/bare/``) is not a URL of this URLconf at all: ``bench.wsgi`` routes it
past the middleware to ``bench.bare_urls``.
"""

from hearth.settings.base import *  # noqa: F403 - production's settings, unchanged

ROOT_URLCONF = "bench.urls"
