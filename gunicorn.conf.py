"""The production server: ``gunicorn --config gunicorn.conf.py --bind HOST:PORT wsgi:app``.

``make serve``, the README's production command, deploy/systemd/resolutions.service, the
benchmark, the crash test and the several-hosts test all start gunicorn with this file, so that
what is measured and tested is what is shipped. The application logs one line per request
itself (LOG_FORMAT, LOG_LEVEL), so gunicorn's access log stays off; its errors go to stderr.

gevent workers: every open page listens to the live channel (server-sent events held open for
minutes), and a thread per listener would stop the site at a few dozen phones. A gevent worker
holds thousands of waiting streams as greenlets; psycopg 3 (>= 3.1.14) and redis-py wait on
the monkey-patched sockets, so a request waiting for PostgreSQL or Redis lets the others run.
CPU-heavy calls (argon2, WeasyPrint) run in the worker's native thread pool
(``resolutions.server.off_loop``) so that they do not stall the greenlets. The README says
why this rather than a separate live service.

Only the bind address is given on the command line (``make serve`` uses ``HOST``/``PORT``).
"""

# Keep this file free of imports that touch sockets or threads: gunicorn's master reads it
# before a gevent worker monkey-patches the standard library.

bind = ["127.0.0.1:5000"]
# One process per core of the 2-core machine it is sized for; each holds many connections.
workers = 2
worker_class = "gevent"
# Open connections per worker: a live stream each, plus the keep-alive connections of the
# same phones (a hall of 5,000 fits on either worker alone).
worker_connections = 12000
# A thousand phones reconnect at once after a network hiccup: let the kernel queue them.
backlog = 4096
keepalive = 15
# A worker that blocks the event loop this long is restarted (streams reconnect by themselves).
timeout = 30
# On restart, open streams are cut after this; the pages reconnect within seconds.
graceful_timeout = 10
# Headers of the access log are not needed; errors go to stderr.
errorlog = "-"
# A second server on the same machine (a test, the benchmark) must not take over this one's
# gunicornc socket; production needs none.
control_socket_disable = True
