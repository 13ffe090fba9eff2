"""Settings for the server ``make bench`` measures: production's, plus the ceiling's URL.

The product's settings and URLconf know nothing of the benchmark; this module
takes them as they are and only points ``ROOT_URLCONF`` at ``bench.urls``,
which adds ``/__bench__/ceiling/`` to Hearth's own URLs.
"""

from hearth.settings.base import *  # noqa: F403 - production's settings, unchanged

ROOT_URLCONF = "bench.urls"
