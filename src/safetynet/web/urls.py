"""The web app's screens."""

from __future__ import annotations

from django.urls import path

from safetynet.web import (
    views,
    views_audit,
    views_dashboard,
    views_escalations,
    views_events,
    views_identity,
    views_mash,
    views_meetings,
    views_notifications,
    views_people,
    views_review,
    views_search,
    views_work,
)

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("people/<int:individual_id>/", views_people.person, name="person"),
    path("people/<int:individual_id>/export.pdf", views_people.person_pdf, name="person_pdf"),
    path("people/<int:individual_id>/chronology/", views_people.chronology, name="person_chronology"),
    path(
        "people/<int:individual_id>/chronology/print/",
        views_people.chronology_print,
        name="person_chronology_print",
    ),
    path("people/<int:individual_id>/network.json", views_people.network, name="person_network"),
    path(
        "people/<int:individual_id>/records/<int:person_id>/compare/<int:other_id>/",
        views_identity.compare,
        name="identity_compare",
    ),
    path("work/", views_work.work, name="my_work"),
    path("work/export.csv", views_work.work_csv, name="my_work_csv"),
    path("work/assign/", views_work.work_assign, name="my_work_assign"),
    path("work/oversight/", views_work.oversight, name="work_oversight"),
    path("work/oversight/export.csv", views_work.oversight_csv, name="work_oversight_csv"),
    path("work/tasks/<int:task_id>/", views_work.task, name="task"),
    path("work/tasks/<int:task_id>/acknowledge/", views_work.task_acknowledge, name="task_acknowledge"),
    path("work/tasks/<int:task_id>/assign/", views_work.task_assign, name="task_assign"),
    path("work/tasks/<int:task_id>/resolve/", views_work.task_resolve, name="task_resolve"),
    path("work/tasks/<int:task_id>/escalate/", views_escalations.task_escalate, name="task_escalate"),
    path("escalations/", views_escalations.escalations, name="escalations"),
    path("escalations/<int:escalation_id>/", views_escalations.escalation, name="escalation"),
    path("escalations/<int:escalation_id>/answer/", views_escalations.escalation_answer, name="escalation_answer"),
    path("mash/", views_mash.mash_inbox, name="mash_inbox"),
    path("mash/referrals/new/", views_mash.mash_raise, name="mash_raise"),
    path("mash/language/", views_mash.mash_language, name="mash_language"),
    path("mash/referrals/<int:referral_id>/", views_mash.mash_referral, name="mash_referral"),
    path("mash/referrals/<int:referral_id>/triage/", views_mash.mash_triage, name="mash_triage"),
    path("mash/referrals/<int:referral_id>/decide/", views_mash.mash_decide, name="mash_decide"),
    path("meetings/", views_meetings.meetings_list, name="meetings"),
    path("meetings/new/", views_meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", views_meetings.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/agenda/add/", views_meetings.meeting_agenda_add, name="meeting_agenda_add"),
    path(
        "meetings/<int:meeting_id>/agenda/remove/", views_meetings.meeting_agenda_remove, name="meeting_agenda_remove"
    ),
    path("meetings/<int:meeting_id>/record/", views_meetings.meeting_record, name="meeting_record"),
    path("meetings/<int:meeting_id>/actions/add/", views_meetings.meeting_action_add, name="meeting_action_add"),
    path("meetings/<int:meeting_id>/actions/<str:action_id>/", views_meetings.meeting_action, name="meeting_action"),
    path(
        "meetings/<int:meeting_id>/actions/<str:action_id>/escalate/",
        views_meetings.meeting_action_escalate,
        name="meeting_action_escalate",
    ),
    path("meetings/<int:meeting_id>/cancel/", views_meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:meeting_id>/minutes.pdf", views_meetings.meeting_minutes_pdf, name="meeting_minutes_pdf"),
    path("meetings/<int:meeting_id>/actions.csv", views_meetings.meeting_actions_csv, name="meeting_actions_csv"),
    path("notifications/", views_notifications.notifications_list, name="notifications"),
    path("notifications/email/", views_notifications.notifications_email, name="notifications_email"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("review/", views_review.review, name="review_queue"),
    path("search/", views_search.search, name="search"),
    path("events/<int:event_id>/", views_events.event, name="event"),
    path("audit/", views_audit.audit_log, name="audit_log"),
    path("audit/people/", views_audit.audit_person, name="audit_person"),
    path("audit/chain/", views_audit.audit_chain, name="audit_chain"),
]
