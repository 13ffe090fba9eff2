"""Shared test fixtures live in hearth.core.testing, loaded here as a plugin."""

pytest_plugins = ["hearth.core.testing", "hearth.forum.testing"]
