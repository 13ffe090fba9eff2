from django.urls import path

from hearth.conversations import views

app_name = "conversations"
urlpatterns = [
    path("messages/", views.conversation_list, name="list"),
    path("messages/new/", views.start, name="start"),
    path("messages/new/draft/", views.save_start_draft, name="save_start_draft"),
    path("messages/<id:conversation_id>/", views.conversation, name="conversation"),
    path("messages/<id:conversation_id>/reply/", views.reply, name="reply"),
    path(
        "messages/<id:conversation_id>/after/<id:position>/",
        views.messages_after,
        name="messages_after",
    ),
    path("messages/<id:conversation_id>/draft/", views.save_draft, name="save_draft"),
    path("messages/<id:conversation_id>/leave/", views.leave, name="leave"),
    path("messages/<id:conversation_id>/mute/", views.mute, name="mute"),
    path("messages/<id:conversation_id>/add/", views.add, name="add"),
    path("messages/<id:conversation_id>/<id:message_id>/edit/", views.edit, name="edit"),
    path("messages/<id:conversation_id>/<id:message_id>/delete/", views.delete, name="delete"),
    path("messages/<id:conversation_id>/<id:message_id>/history/", views.history, name="history"),
    path("messages/<id:conversation_id>/<id:message_id>/quote/", views.quote, name="quote"),
    path("settings/messages/", views.messaging_settings, name="settings"),
]
