from django.urls import path

from haven.attributes import views

urlpatterns = [
    path("profile/shared/", views.mine, name="my_shared_attributes"),
    path("profile/shared/withdraw/", views.withdraw, name="my_shared_attributes_withdraw"),
    path("attributes/", views.definitions, name="shared_attributes"),
    path("attributes/<int:attribute_id>/", views.edit, name="shared_attribute_edit"),
    path("attributes/<int:attribute_id>/active/", views.set_active,
         name="shared_attribute_active"),
]
