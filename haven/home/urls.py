from django.urls import path

from haven.home import views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/test-email/", views.test_email, name="home_test_email"),
]
