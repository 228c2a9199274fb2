from django.urls import path

from . import delegations, views

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("inbox/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("inbox/settings/", views.notice_preferences, name="notice_preferences"),
    path("assessments/<int:pk>/remind/", views.stage_nudge, name="stage_nudge"),
    path("delegations/", delegations.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", delegations.delegation_stop, name="delegation_stop"),
]
