from django.urls import include, path

urlpatterns = [
    path("", include("haven.speakup.journal.urls")),
    path("", include("haven.speakup.reports.urls")),
]
