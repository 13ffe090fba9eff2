"""Conversations, as domain events (``hearth.core.events``): ids only, never the text."""

from __future__ import annotations

from dataclasses import dataclass

from hearth.core.events import Event


@dataclass(frozen=True, kw_only=True)
class ConversationRead(Event):
    """A member read a conversation; published only while they have unread
    notifications, so the bell can forget it."""

    member_id: int
    conversation_id: int


@dataclass(frozen=True, kw_only=True)
class ConversationLeft(Event):
    member_id: int
    conversation_id: int


@dataclass(frozen=True, kw_only=True)
class MessageSent(Event):
    conversation_id: int
    message_id: int
    author_id: int
    position: int
