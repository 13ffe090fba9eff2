from django.urls import path

from hearth.forum import activity_views, feeds, live_views, views

app_name = "forum"
urlpatterns = [
    path("c/<slug:slug>/", views.category, name="category"),
    path("c/<slug:slug>/new/", views.new_thread, name="new_thread"),
    path("c/<slug:slug>/mark-read/", views.mark_category_read, name="mark_category_read"),
    path("c/<slug:slug>/follow/", views.follow_category, name="follow_category"),
    path("c/<slug:slug>/mentionable/", views.category_mentionable, name="category_mentionable"),
    path("c/<slug:slug>/feed/", feeds.category_feed, name="category_feed"),
    path("feed/", feeds.site_feed, name="feed"),
    path("t/<id:thread_id>/", views.thread, name="thread"),
    path("t/<id:thread_id>/unread/", views.first_unread, name="first_unread"),
    path("t/<id:thread_id>/reply/", views.reply, name="reply"),
    path("t/<id:thread_id>/follow/", views.follow_thread, name="follow_thread"),
    path("t/<id:thread_id>/mentionable/", views.thread_mentionable, name="thread_mentionable"),
    path("t/<id:thread_id>/after/<id:position>/", live_views.posts_after, name="posts_after"),
    path("check-in/<id:item_id>/", views.ask_for_check_in, name="ask_for_check_in"),
    path("p/<id:post_id>/", views.permalink, name="permalink"),
    path("p/<id:post_id>/quote/", views.quote, name="quote"),
    path("p/<id:post_id>/edit/", views.edit_post, name="edit_post"),
    path("p/<id:post_id>/delete/", views.delete_post, name="delete_post"),
    path("p/<id:post_id>/history/", views.history, name="history"),
    path("p/<id:post_id>/article/", live_views.post_article, name="post_article"),
    path("p/<id:post_id>/react/", views.react, name="react"),
    path("p/<id:post_id>/reactions/", views.reactors, name="reactors"),
    path("p/<id:post_id>/save/", activity_views.save_post, name="save_post"),
    path("p/<id:post_id>/unsave/", activity_views.unsave_post, name="unsave_post"),
    path("p/<id:post_id>/saved-note/", activity_views.bookmark_note, name="bookmark_note"),
    path("me/threads/", activity_views.my_threads, name="my_threads"),
    path("me/posts/", activity_views.my_posts, name="my_posts"),
    path("me/saved/", activity_views.saved_posts, name="saved_posts"),
    path("preview/", views.preview, name="preview"),
    path("drafts/", views.save_draft, name="save_draft"),
    path("settings/reply-order/", views.set_reply_order, name="set_reply_order"),
]
