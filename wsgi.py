"""WSGI entry point: ``gunicorn wsgi:app``."""

from resolutions import create_app

app = create_app()
