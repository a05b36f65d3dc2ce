from django.urls import path

from haven.questions import views

urlpatterns = [
    path("questions/", views.question_board, name="questions"),
    path("questions/ask/", views.question_ask, name="question_ask"),
    path("questions/mine/", views.questions_mine, name="questions_mine"),
    path("questions/<int:question_id>/vote/", views.question_vote, name="question_vote"),
    path("questions/moderation/", views.question_moderation, name="questions_moderation"),
    path("questions/<int:question_id>/moderate/", views.question_moderate,
         name="question_moderate"),
    path("questions/<int:question_id>/answer/", views.question_answer, name="question_answer"),
]
