"""WSGI entry point for gunicorn: ``gunicorn loket.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

from loket.observe import tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loket.settings")
tracing.configure()  # off unless OTEL_* variables ask for it; before the middleware is built
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their models and settings, about 250,000 objects)
# lives as long as the process: it is moved out of the garbage collector's generations, so that
# a full collection no longer walks it. Such a collection held the interpreter for about 160 ms
# in a journey benchmark, about 45 ms once frozen (docs/operations.md, "Worker processes").
gc.collect()  # what start-up left unreachable is freed, not frozen with the rest
gc.freeze()
