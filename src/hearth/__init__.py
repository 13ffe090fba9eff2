"""Hearth: a self-hostable peer-support community."""
