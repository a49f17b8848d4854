"""The production server: ``gunicorn --config gunicorn.conf.py --bind HOST:PORT wsgi:app``.

``make serve``, deploy/systemd/resolutions.service and the several-hosts test start gunicorn
with this file, so that what is tested is what is shipped. Only the bind address is given on
the command line.

gthread workers: each open live page (server-sent events) holds a thread for up to
LIVE_STREAM_SECONDS. The application logs one line per request itself (LOG_FORMAT,
LOG_LEVEL), so gunicorn's access log stays off; its errors go to stderr (journald).
"""

bind = ["127.0.0.1:5000"]
workers = 2
worker_class = "gthread"
threads = 8
keepalive = 5
timeout = 60
graceful_timeout = 20
errorlog = "-"
# A second server on the same machine (a test, the benchmark) must not take over this one's
# control socket; production needs none.
control_socket_disable = True
