"""Reporting a conversation message, the moderators' audited reading of it, and the
writer's request for a check-in (included from ``hearth.urls``)."""

from django.urls import path

from hearth.conversations import report_views

app_name = "conversation_reports"
urlpatterns = [
    path(
        "messages/<id:conversation_id>/<id:message_id>/report/",
        report_views.report_message,
        name="report_message",
    ),
    path(
        "messages/<id:conversation_id>/<id:message_id>/check-in/",
        report_views.ask_for_check_in,
        name="ask_for_check_in",
    ),
    path(
        "moderation/conversation-reports/<id:item_id>/",
        report_views.read_reported_messages,
        name="read_reported_messages",
    ),
]
