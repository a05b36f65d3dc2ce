from django.urls import path

from haven.recognition import views

urlpatterns = [
    path("recognition/", views.feed, name="recognition_feed"),
    path("recognition/give/", views.give, name="recognition_give"),
    path("recognition/<int:recognition_id>/react/", views.react, name="recognition_react"),
    path("recognition/<int:recognition_id>/", views.detail, name="recognition_detail"),
    path("recognition/<int:recognition_id>/comments/", views.comment,
         name="recognition_comment"),
    path("recognition/comments/<int:comment_id>/delete/", views.comment_delete,
         name="recognition_comment_delete"),
    path("recognition/comments/<int:comment_id>/moderate/", views.comment_moderate,
         name="recognition_comment_moderate"),
    path("recognition/settings/", views.preferences, name="recognition_settings"),
    path("recognition/moderation/", views.moderation, name="recognition_moderation"),
    path("recognition/<int:recognition_id>/moderate/", views.moderate,
         name="recognition_moderate"),
    path("recognition/values/", views.values, name="recognition_values"),
    path("recognition/values/<int:value_id>/active/", views.value_active,
         name="recognition_value_active"),
]
