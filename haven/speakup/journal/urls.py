from django.urls import path

from haven.speakup.journal import views

urlpatterns = [
    path("journal/", views.journal_home, name="journal"),
    path("journal/new/", views.journal_new, name="journal_new"),
    path("journal/export.pdf", views.journal_export_pdf, name="journal_export_pdf"),
    path("journal/export.json", views.journal_export_json, name="journal_export_json"),
    path("journal/delete/", views.journal_delete, name="journal_delete"),
    path("journal/verify/", views.journal_verify, name="journal_verify"),
    path("journal/<str:entry_id>/", views.journal_entry, name="journal_entry"),
    path("journal/<str:entry_id>/edit/", views.journal_entry_edit, name="journal_entry_edit"),
    path("journal/<str:entry_id>/delete/", views.journal_entry_delete,
         name="journal_entry_delete"),
    path("journal/<str:entry_id>/files/<str:attachment_id>/", views.journal_attachment,
         name="journal_attachment"),
]
