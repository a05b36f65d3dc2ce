from django.apps import AppConfig


class AttributesConfig(AppConfig):
    name = "haven.attributes"
    label = "attributes"
    verbose_name = "Shared attributes"
