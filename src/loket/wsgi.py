"""WSGI entry point for gunicorn: ``gunicorn loket.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

from loket.observe import tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
tracing.configure()  # off unless OTEL_* variables ask for it; before the middleware is built
application = get_wsgi_application()
