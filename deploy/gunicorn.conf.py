"""gunicorn settings for production (`make serve` and deploy/resolutions.service use them).

Every value can be overridden on the command line or through GUNICORN_* variables below.
The application logs one line per request itself (LOG_FORMAT, LOG_LEVEL), so gunicorn's
access log stays off; its error log goes to stderr (journald under systemd).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Threads: each open live page (server-sent events) holds one for up to LIVE_STREAM_SECONDS.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Behind nginx on the same host: trust its X-Forwarded-* only from loopback.
forwarded_allow_ips = "127.0.0.1,::1"
