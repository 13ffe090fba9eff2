"""The topics a stream listens to: the member's own, and the thread or conversation
their page has open."""

from __future__ import annotations


def member_topic(member_id: int) -> str:
    return f"member:{member_id}"


def thread_topic(thread_id: int) -> str:
    return f"thread:{thread_id}"


def conversation_topic(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def split(topic: str) -> tuple[str, int]:
    """("thread", 12) from "thread:12"."""
    kind, _, number = topic.partition(":")
    return kind, int(number)
