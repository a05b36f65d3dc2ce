"""ASGI entry point: Django's HTTP application (live chat consumers join it later)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")

application = get_asgi_application()
