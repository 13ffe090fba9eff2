from django.urls import path

from hearth.moderation import views

app_name = "moderation"
urlpatterns = [
    path("moderation/", views.queue, name="queue"),
    path("moderation/items/<id:item_id>/close/", views.close_item, name="close_item"),
    path("moderation/posts/<id:post_id>/", views.post_page, name="post"),
    path("moderation/posts/<id:post_id>/edit/", views.edit_post, name="edit_post"),
    path("moderation/posts/<id:post_id>/<slug:action>/", views.post_action, name="post_action"),
    path("moderation/members/<str:username>/", views.member_page, name="member"),
    path(
        "moderation/members/<str:username>/<slug:action>/",
        views.member_action,
        name="member_action",
    ),
    path("moderation/audit/", views.audit_log, name="audit"),
    path("report/post/<id:post_id>/", views.report_post, name="report_post"),
    path("report/member/<str:username>/", views.report_member, name="report_member"),
    path("notices/", views.notices, name="notices"),
    path("notices/write/", views.write_to_moderators, name="write"),
    path("suspended/", views.suspended, name="suspended"),
]
