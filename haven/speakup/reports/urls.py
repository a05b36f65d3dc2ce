from django.urls import path

from haven.speakup.reports import views

urlpatterns = [
    # Colleagues: their own reports
    path("speakup/reports/", views.my_reports, name="speakup_reports"),
    path("speakup/reports/new/", views.new_report, name="speakup_report_new"),
    path("speakup/reports/<str:report_id>/withdraw/", views.withdraw_report,
         name="speakup_report_withdraw"),
    # Anyone holding a receipt code (signed in or not)
    path("speakup/receipt/", views.receipt, name="speakup_receipt"),
    path("speakup/receipt/reply/", views.receipt_reply, name="speakup_receipt_reply"),
    path("speakup/receipt/edit/", views.receipt_edit, name="speakup_receipt_edit"),
    # Case handlers
    path("cases/", views.case_inbox, name="case_inbox"),
    path("cases/keys/", views.case_keys, name="case_keys"),
    path("cases/keys/passphrase/", views.case_keys_passphrase, name="case_keys_passphrase"),
    path("cases/keys/recover/", views.case_keys_recover, name="case_keys_recover"),
    path("cases/keys/reset/", views.case_keys_reset, name="case_keys_reset"),
    path("cases/unlock/", views.case_unlock, name="case_unlock"),
    path("cases/lock/", views.case_lock, name="case_lock"),
    path("cases/<str:report_id>/", views.case_detail, name="case_detail"),
    path("cases/<str:report_id>/state/", views.case_state, name="case_state"),
    path("cases/<str:report_id>/note/", views.case_note, name="case_note"),
    path("cases/<str:report_id>/message/", views.case_message, name="case_message"),
    # Coordinators and administrators
    path("speakup/programme/", views.speakup_programme, name="speakup_programme"),
    path("speakup/settings/", views.speakup_settings, name="speakup_settings"),
]
