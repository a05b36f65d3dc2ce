from django.urls import path

from haven.coach import views

urlpatterns = [
    path("coach/feedback/", views.feedback, name="coach_feedback"),
    path("conversations/<int:conversation_id>/coach/", views.conversation_feedback,
         name="conversation_coach"),
    path("coach/try/", views.try_coach, name="coach_try"),
    path("coach/practice/", views.practice, name="coach_practice"),
    path("coach/practice/<str:slug>/", views.practice_scenario, name="coach_scenario"),
    path("coach/practice/<str:slug>/finish/", views.practice_finish,
         name="coach_scenario_finish"),
    path("coach/progress/", views.progress, name="coach_progress"),
    path("coach/progress/<int:person_id>/certify/", views.certify, name="coach_certify"),
]
