from django.urls import path

from haven.activities import views

urlpatterns = [
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/settings/", views.activity_settings, name="activity_settings"),
    path("activities/<int:activity_id>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:activity_id>/sign-up/", views.activity_rsvp, name="activity_rsvp"),
    path("activities/<int:activity_id>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<int:activity_id>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:activity_id>/call-off/", views.activity_call_off,
         name="activity_call_off"),
    path("activities/<int:activity_id>/invitation.ics", views.activity_invitation,
         name="activity_invitation"),
    path("activities/<int:activity_id>/feedback/", views.activity_feedback,
         name="activity_feedback"),
]
