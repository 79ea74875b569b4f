"""WSGI entry point (gunicorn yjinspect.web.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yjinspect.web.settings")
application = get_wsgi_application()
