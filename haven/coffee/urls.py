from django.urls import path

from haven.coffee import views

urlpatterns = [
    path("coffee/", views.coffee_home, name="coffee_home"),
    path("coffee/settings/", views.coffee_settings, name="coffee_settings"),
    path("coffee/blocks/", views.blocks, name="coffee_blocks"),
    path("coffee/blocks/<int:block_id>/remove/", views.unblock, name="coffee_unblock"),
    path("coffee/groups/<int:group_id>/invitation.ics", views.invitation,
         name="coffee_invitation"),
    path("coffee/groups/<int:group_id>/met/", views.met, name="coffee_met"),
    path("coffee/rounds/", views.rounds, name="coffee_rounds"),
    path("coffee/rounds/settings/", views.round_settings, name="coffee_round_settings"),
]
