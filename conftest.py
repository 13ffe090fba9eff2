"""Shared test fixtures live in hearth.core.testing, loaded here as a plugin."""

pytest_plugins = [
    "hearth.core.testing",
    "hearth.safety.testing",
    "hearth.forum.testing",
    "hearth.between_sessions.testing",
    "hearth.welcome.testing",
    "hearth.core.tests.pseudo_locale_fixtures",
]
