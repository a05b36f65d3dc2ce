from django.urls import include, path

from haven.api.api import api

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("", include("haven.home.urls")),
    path("", include("haven.core.urls")),
    path("", include("haven.support.urls")),
    path("", include("haven.coffee.urls")),
    path("", include("haven.attributes.urls")),
    path("", include("haven.activities.urls")),
    path("", include("haven.questions.urls")),
    path("", include("haven.recognition.urls")),
    path("", include("haven.insight.urls")),
    path("", include("haven.coach.urls")),
    path("", include("haven.speakup.urls")),
]

handler400 = "haven.core.errors.bad_request"
handler403 = "haven.core.errors.permission_denied"
handler404 = "haven.core.errors.page_not_found"
handler500 = "haven.core.errors.server_error"
