from django.urls import path

from haven.connect import recognition_views as views

urlpatterns = [
    path("recognition/", views.feed, name="recognition_feed"),
    path("recognition/give/", views.give, name="recognition_give"),
    path("recognition/<int:recognition_id>/react/", views.react, name="recognition_react"),
    path("recognition/settings/", views.preferences, name="recognition_settings"),
    path("recognition/moderation/", views.moderation, name="recognition_moderation"),
    path("recognition/<int:recognition_id>/moderate/", views.moderate,
         name="recognition_moderate"),
    path("recognition/values/", views.values, name="recognition_values"),
    path("recognition/values/<int:value_id>/active/", views.value_active,
         name="recognition_value_active"),
    path("recognition/insight/", views.insight_page, name="recognition_insight"),
]
