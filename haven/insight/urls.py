from django.urls import path

from haven.insight import views

urlpatterns = [
    path("recognition/insight/", views.insight_page, name="recognition_insight"),
]
