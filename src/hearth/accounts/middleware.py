"""The signed-in member of a request: who it is (through the member cache), and their
time zone and language applied to it."""

from collections.abc import Callable
from functools import partial

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from hearth.accounts.member_cache import load_member
from hearth.accounts.models import User


class MemberPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            timezone.activate(user.time_zone)
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        else:
            # Threads serve many members; never carry one member's language to the next.
            request.LANGUAGE_CODE = translation.get_language_from_request(request)
            translation.activate(request.LANGUAGE_CODE)
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        if user.is_authenticated:
            response.headers.setdefault("Content-Language", user.language)
        return response


class MemberAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware``, with the member read through the member
    cache (``hearth.accounts.member_cache``): no database round trip per request when
    the member's cached row is current.

    ``signed_in_member`` is ``django.contrib.auth.get_user`` step by step -- the backend
    named in the session must still be configured, the account must be able to sign in,
    and the session's hash must match the password's (or a fallback key's, which
    then renews it) -- only the row comes from ``load_member``.
    """

    def process_request(self, request: HttpRequest) -> None:
        # Lazy, as Django's is: a request that never asks who is signed in reads nothing.
        request.user = SimpleLazyObject(lambda: signed_in_member(request))  # type: ignore[assignment]
        request.auser = partial(_signed_in_member_async, request)


async def _signed_in_member_async(request: HttpRequest) -> User | AnonymousUser:
    """``request.auser()``, as Django's: the same member for async code (allauth asks)."""
    if not hasattr(request, "_acached_member"):
        request._acached_member = await sync_to_async(signed_in_member)(request)  # type: ignore[attr-defined]
    member: User | AnonymousUser = request._acached_member  # type: ignore[attr-defined]
    return member


def signed_in_member(request: HttpRequest) -> User | AnonymousUser:
    session = request.session
    try:
        member_id = User._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    backend = load_backend(backend_path)
    member = load_member(member_id)
    # ModelBackend's rule (and allauth's, which inherits it): an inactive account is nobody.
    may_sign_in = getattr(backend, "user_can_authenticate", None)
    if member is None or (may_sign_in is not None and not may_sign_in(member)):
        return AnonymousUser()
    session_hash = session.get(HASH_SESSION_KEY)
    current_hash = member.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current_hash):
        return member
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in member.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = current_hash
        return member
    session.flush()
    return AnonymousUser()
