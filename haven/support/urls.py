from django.urls import path

from haven.support import programme_views, views

urlpatterns = [
    path("support/", views.support_home, name="support_home"),
    path("support/new/", views.new_request, name="new_request"),
    path("conversations/<int:conversation_id>/", views.conversation_page, name="conversation"),
    path("conversations/<int:conversation_id>/send/", views.send_message,
         name="conversation_send"),
    path("conversations/<int:conversation_id>/close/", views.close, name="conversation_close"),
    path("conversations/<int:conversation_id>/feedback/", views.feedback,
         name="conversation_feedback"),
    path("conversations/<int:conversation_id>/erase/", views.erase, name="conversation_erase"),
    path("conversations/<int:conversation_id>/access/", views.access_history,
         name="conversation_access"),
    path("conversations/<int:conversation_id>/handover/", views.handover,
         name="conversation_handover"),
    path("conversations/<int:conversation_id>/handover/consent/", views.consent_handover,
         name="conversation_consent_handover"),
    path("conversations/<int:conversation_id>/escalate/", views.escalate,
         name="conversation_escalate"),
    path("conversations/<int:conversation_id>/commitments/", views.add_commitment,
         name="commitment_add"),
    path("commitments/<int:commitment_id>/", views.settle_commitment, name="commitment_settle"),
    path("supporter/", views.supporter_home, name="supporter_home"),
    path("supporter/profile/", views.supporter_profile, name="supporter_profile"),
    path("supporter/offers/<int:offer_id>/", views.answer_offer, name="offer_answer"),
    path("programme/", programme_views.programme, name="programme"),
    path("programme/supporters/<int:person_id>/approve/", programme_views.approve,
         name="supporter_approve"),
    path("programme/settings/", programme_views.programme_settings_page,
         name="programme_settings"),
]
