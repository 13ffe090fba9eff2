"""Ended sign-ins leave nothing behind: housekeeping forgets expired sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from hearth.accounts.models import User
from hearth.accounts.sessions import forget_expired_sessions
from hearth.core.housekeeping import run_housekeeping

pytestmark = pytest.mark.django_db


def test_housekeeping_forgets_expired_sessions_and_keeps_live_ones(member: User) -> None:
    live, ended = Client(), Client()
    live.force_login(member)
    ended.force_login(member)
    ended_key = ended.session.session_key
    Session.objects.filter(pk=ended_key).update(expire_date=timezone.now() - timedelta(seconds=1))

    done = run_housekeeping()

    assert done["expired sessions forgotten"] == 1
    assert not Session.objects.filter(pk=ended_key).exists()
    assert Session.objects.filter(pk=live.session.session_key).exists()
    assert forget_expired_sessions() == 0
