"""Top-level URL map. Each app owns its own ``urls.py``."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from hearth.core import javascript_catalog
from hearth.core import views as core_views
from hearth.forum import views as forum_views

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # route admin sign-in through allauth (rate limits, MFA)
# Lazy: the admin speaks each administrator's language.
admin.site.site_header = format_lazy(_("{site} administration"), site=settings.HEARTH_SITE_NAME)
admin.site.site_title = settings.HEARTH_SITE_NAME

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path(
        "i18n/<str:language>/<str:version>/catalog.js",
        javascript_catalog.javascript_catalog,
        name="javascript_catalog",
    ),
    path("media/<path:path>", core_views.media, name="media"),
    path(settings.HEARTH_ADMIN_PATH, admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("hearth.api.urls")),
    path("", include("hearth.api.token_urls")),
    path("", include("hearth.search.urls")),
    path("", include("hearth.accounts.urls")),
    path("", include("hearth.safety.urls")),
    path("", include("hearth.moderation.urls")),
    path("", include("hearth.conversations.urls")),
    path("", include("hearth.conversations.report_urls")),
    path("", include("hearth.notifications.urls")),
    path("", include("hearth.live.urls")),
    path("", include("hearth.member_data.export_urls")),
    path("", include("hearth.member_data.deletion_urls")),
    path("notes/", include("hearth.between_sessions.urls")),
    path("", include("hearth.welcome.urls")),
    path("", include("hearth.between_sessions.peer_check_ins.urls")),
    path("", forum_views.home, name="home"),
    path("", include("hearth.forum.urls")),
]
handler400 = "hearth.core.views.bad_request"
handler403 = "hearth.core.views.permission_denied"
handler404 = "hearth.core.views.page_not_found"
handler500 = "hearth.core.views.server_error"
