"""The JSON API at /api/v1/: one django-ninja ``NinjaAPI`` with every app's router mounted.

Each app keeps its endpoints in its own ``api.py``; this module only wires them:
authentication (``auth.py``), the error shape (``errors.py``), the docs page and the
OpenAPI document. See docs/api.md.
"""

from __future__ import annotations

from django.conf import settings
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from hearth.accounts.api import router as accounts_router
from hearth.api.auth import MEMBERS, MEMBERS_OR_VISITORS
from hearth.api.errors import install_error_handlers
from hearth.conversations.api import router as conversations_router
from hearth.forum.api import router as forum_router
from hearth.member_data.api import router as member_data_router
from hearth.notifications.api import router as notifications_router
from hearth.search.api import router as search_router

DESCRIPTION = """\
The JSON API of this Hearth community: what a member can read and write on the website,
with the same rules. Sign in with the website's session (send the CSRF token in
`X-CSRFToken` for writes) or with a personal access token made under Settings → API
tokens (`Authorization: Bearer hearth_…`). Every error has one shape:
`{"error": {"code": "...", "message": "...", "fields": {...}}}`. The guide is
docs/api.md in Hearth's source.
"""


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title=f"{settings.HEARTH_SITE_NAME} API",
        version="1",
        description=DESCRIPTION,
        urls_namespace="api",
        auth=MEMBERS,
        # Served from django-ninja's own static files: no CDN, and no call to Swagger's
        # online validator (it would tell another site about this API).
        docs=Swagger(settings={"validatorUrl": None, "tryItOutEnabled": False}),
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    install_error_handlers(api)
    api.add_router("", forum_router, tags=["forum"])
    api.add_router("/notifications", notifications_router, tags=["notifications"])
    api.add_router("/conversations", conversations_router, tags=["conversations"])
    api.add_router("/me", accounts_router, tags=["me"])
    api.add_router("/me/exports", member_data_router, tags=["my data"])
    api.add_router("/search", search_router, tags=["search"])
    _let_visitors_call_what_they_may(api)
    return api


def _let_visitors_call_what_they_may(api: NinjaAPI) -> None:
    """Operations marked ``VISITORS_MAY_CALL`` take no credentials too (as a visitor)."""
    # ninja binds each router's operations once, here; each keeps the auth it is given.
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                if operation.openapi_extra and "security" in operation.openapi_extra:
                    operation._set_auth(MEMBERS_OR_VISITORS)


api = build_api()
