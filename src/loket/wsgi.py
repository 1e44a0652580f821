"""WSGI entry point for gunicorn: ``gunicorn loket.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
application = get_wsgi_application()
