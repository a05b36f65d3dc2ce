from django.urls import path

from haven.core import views

urlpatterns = [
    path("livez", views.livez, name="livez"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics, name="metrics"),
    path("profile/", views.profile, name="profile"),
    path("profile/email/", views.email_settings, name="email_settings"),
    path("email/unsubscribe/<str:token>/", views.email_unsubscribe, name="email_unsubscribe"),
    path("email/unsubscribe/<str:token>/one-click/", views.email_unsubscribe_one_click,
         name="email_unsubscribe_one_click"),
    path("profile/tokens/", views.tokens, name="tokens"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("invitation/<str:uidb64>/<str:token>/", views.accept_invitation,
         name="accept_invitation"),
    path("people/search/", views.people_search, name="people_search"),
    path("directory/", views.directory, name="directory"),
    path("directory/invite-all/", views.invite_all, name="invite_all"),
    path("directory/import/", views.import_people_view, name="import_people"),
    path("directory/<int:person_id>/", views.person_detail, name="person_detail"),
    path("directory/<int:person_id>/roles/", views.person_roles, name="person_roles"),
    path("directory/<int:person_id>/invite/", views.person_invite, name="person_invite"),
    path("directory/<int:person_id>/active/", views.person_active, name="person_active"),
    path("audit/", views.audit_log, name="audit_log"),
]
