from __future__ import annotations

from django.urls import path

from vecinos.assembly import views, views_room, views_tally

app_name = "assembly"

# Each helper adds its own block below (merge conflicts here are "keep both").

# assembly-bodies: bodies, membership, meetings, agendas, time polls, calendar feed.
urlpatterns = [
    path("", views.assembly_list, name="list"),
    path("bodies/new/", views.body_create, name="body_create"),
    path("bodies/<int:body_id>/", views.body_detail, name="body_detail"),
    path("bodies/<int:body_id>/edit/", views.body_edit, name="body_edit"),
    path("bodies/<int:body_id>/members/add/", views.member_add, name="member_add"),
    path("bodies/<int:body_id>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("bodies/<int:body_id>/polls/new/", views.poll_create, name="poll_create"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:meeting_id>/agenda/add/", views.agenda_item_add, name="agenda_item_add"),
    path("meetings/<int:meeting_id>/files/add/", views.attachment_add, name="attachment_add"),
    path("agenda/<int:item_id>/", views.agenda_item_edit, name="agenda_item_edit"),
    path("files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("polls/<int:poll_id>/", views.poll_detail, name="poll_detail"),
    path("calendar/", views.calendar_link, name="calendar_link"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]

# assembly-proposals: proposals, votes, the decision register and report-backs.
from vecinos.assembly import views_proposals  # noqa: E402

urlpatterns += [
    path("bodies/<int:body_id>/proposals/", views_proposals.proposal_list, name="proposal_list"),
    path(
        "bodies/<int:body_id>/proposals/new/",
        views_proposals.proposal_create,
        name="proposal_create",
    ),
    path("proposals/<int:proposal_id>/", views_proposals.proposal_detail, name="proposal_detail"),
    path(
        "proposals/<int:proposal_id>/text/<str:language>/",
        views_proposals.proposal_text,
        name="proposal_text",
    ),
    path("proposals/<int:proposal_id>/vote/", views_proposals.vote_create, name="vote_create"),
    path("votes/<int:vote_id>/", views_proposals.vote_detail, name="vote_detail"),
    path("bodies/<int:body_id>/decisions/", views_proposals.register, name="register"),
    path("decisions/<int:decision_id>/", views_proposals.decision_detail, name="decision_detail"),
    path(
        "meetings/<int:meeting_id>/report-backs/",
        views_proposals.report_backs,
        name="report_backs",
    ),
]

# assembly-room: the meeting in progress (room, live minutes and their export, projector).
urlpatterns += [
    path("meetings/<int:meeting_id>/room/", views_room.room_view, name="room"),
    path("meetings/<int:meeting_id>/minutes/", views_room.minutes_view, name="room_minutes"),
    path(
        "meetings/<int:meeting_id>/minutes/export/",
        views_room.minutes_export,
        name="room_minutes_export",
    ),
    path("meetings/<int:meeting_id>/projector/", views_room.projector_view, name="room_projector"),
]

# assembly-tally: counting paper ballots.
urlpatterns += [
    path("tally/", views_tally.tally, name="tally"),
]
