"""The toolkit's addresses. Neutral words only: they show up in browser history."""

from django.urls import path

from hearth.between_sessions import views
from hearth.between_sessions.peer_check_ins import views as peer_views

app_name = "between_sessions"
urlpatterns = [
    path("", views.home, name="home"),
    path("blank/", views.neutral, name="neutral"),
    path("search/", views.search, name="search"),
    # Check-in and journal
    path("check-in/", views.check_in, name="check_in"),
    path("entries/", views.entry_list, name="entries"),
    path("entries/new/", views.entry_new, name="entry_new"),
    path("entries/calendar/", views.entry_calendar, name="entry_calendar"),
    path("entries/chart/", views.entry_chart, name="entry_chart"),
    path("entries/<id:pk>/", views.entry_detail, name="entry"),
    path("entries/<id:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<id:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("entries/<id:pk>/bring/", views.entry_bring, name="entry_bring"),
    path("entries/<id:pk>/discussed/", views.entry_discussed, name="entry_discussed"),
    # Notes for next session
    path("next/", views.next_session, name="next_session"),
    path("next/add/", views.session_note_add, name="session_note_add"),
    path("next/excerpt/", views.session_note_excerpt, name="session_note_excerpt"),
    path("next/date/", views.next_session_date, name="next_session_date"),
    path("next/discussed/", views.next_session_discussed, name="next_session_discussed"),
    path("next/print/", views.next_session_print, name="next_session_print"),
    path("next/text/", views.next_session_text, name="next_session_text"),
    path("next/<id:pk>/edit/", views.session_note_edit, name="session_note_edit"),
    path("next/<id:pk>/delete/", views.session_note_delete, name="session_note_delete"),
    path("next/<id:pk>/discussed/", views.session_note_discussed, name="session_note_discussed"),
    # Coping plan
    path("plan/", views.plan, name="plan"),
    path("plan/edit/", views.plan_edit, name="plan_edit"),
    path("plan/reviewed/", views.plan_reviewed, name="plan_reviewed"),
    path("plan/print/", views.plan_print, name="plan_print"),
    # Cards
    path("cards/", views.card_list, name="cards"),
    path("cards/new/", views.member_card_new, name="member_card_new"),
    path("cards/mine/<id:pk>/", views.member_card, name="member_card"),
    path("cards/mine/<id:pk>/edit/", views.member_card_edit, name="member_card_edit"),
    path("cards/mine/<id:pk>/delete/", views.member_card_delete, name="member_card_delete"),
    path("cards/mine/<id:pk>/pin/", views.member_card_pin, name="member_card_pin"),
    path("cards/<slug:slug>/", views.built_in_card, name="built_in_card"),
    path("cards/<slug:slug>/pin/", views.built_in_card_pin, name="built_in_card_pin"),
    # Therapist breaks
    path("away/", views.break_list, name="breaks"),
    path("away/new/", views.break_new, name="break_new"),
    path("away/<id:pk>/edit/", views.break_edit, name="break_edit"),
    path("away/<id:pk>/delete/", views.break_delete, name="break_delete"),
    # Check-ins from peers during a break (the one part that involves another member)
    path("away/<id:pk>/check-ins/", peer_views.break_check_ins, name="break_check_ins"),
    path(
        "away/<id:pk>/check-ins/withdraw/",
        peer_views.break_check_ins_withdraw,
        name="break_check_ins_withdraw",
    ),
    # Export and deletion
    path("export/", views.export, name="export"),
    path("export/notes.json", views.export_json, name="export_json"),
    path("export/print/", views.export_print, name="export_print"),
    path("export/delete-everything/", views.delete_everything, name="delete_everything"),
    path("export/remove-examples/", views.remove_examples, name="remove_examples"),
]
