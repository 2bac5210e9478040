"""gunicorn settings for the movie service; -b and -w on the command line override these.

Timeouts sit above the app's own deadlines (prices 2 s, movie list 5 s, database
statements 5 s), so a worker is only killed when something is truly stuck.
"""

import glob
import multiprocessing
import os
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 25))
keepalive = 5  # below NGINX's upstream keepalive_timeout, so NGINX closes first
max_requests = 10_000
max_requests_jitter = 1_000
# gunicorn itself believes X-Forwarded-Proto only from here; the app's TrustedProxyFix
# applies the same rule (TRUSTED_PROXIES) to X-Forwarded-For/Host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn 25+ opens a control socket (for gunicornc) at one path per user by default,
# $XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl: a second instance on the host
# takes it over (and removes it when it stops), and a read-only root filesystem cannot hold
# it. Off unless GUNICORN_CONTROL_SOCKET names a path of this instance's own.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# One JSON access line per request, with the request id the app echoed or made.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
access_log_format = (
    '{"logger": "gunicorn.access", "time": "%(t)s", "request_id": "%({x-request-id}o)s", '
    '"remote_addr": "%(h)s", "forwarded_for": "%({x-forwarded-for}i)s", '
    '"method": "%(m)s", "path": "%(U)s", "query": "%(q)s", '
    '"status": %(s)s, "bytes": %(B)s, "duration_ms": %(M)s, "user_agent": "%(a)s"}'
)
errorlog = "-"
# gunicorn writes the access lines; the app's own would repeat them.
os.environ.setdefault("ACCESS_LOG", "false")

# Prometheus multiprocess mode: every worker writes its metrics to this directory.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="movie-metrics-")


def on_starting(server):
    """Start with no metrics left over from an earlier run."""
    for path in glob.glob(os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], "*.db")):
        os.remove(path)


def post_worker_init(worker):
    """The app is loaded: keep what start-up made out of full garbage collections
    (src/collector.py)."""
    from src.collector import settle_collector

    settle_collector()


def child_exit(server, worker):
    """Let the metrics of a dead worker stop counting as live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
