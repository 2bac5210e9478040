"""Run the project's NGINX site (nginx/movie-service.conf) in front of a test server."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.processes import REPO_ROOT, free_port, stop

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = REPO_ROOT / "nginx" / "movie-service.conf"
CACHE_DIR = "/var/cache/nginx/movie-service"
# The names the test site serves: what requests sends for its url, and one public name.
SERVER_NAMES = "127.0.0.1 movies.example.org"
STARTUP_LIMIT_S = 10.0

MAIN_CONF = """\
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/site.conf;
}}
"""


@dataclass(frozen=True)
class RunningNginx:
    url: str
    port: int
    prefix: Path


def nginx_available() -> bool:
    return Path(NGINX).exists()


def render_site(*, listen_port: int, upstream_port: int) -> str:
    """The committed site with this test's ports and the checkout as the app root."""
    site = SITE.read_text()
    site = site.replace("listen 80", f"listen 127.0.0.1:{listen_port}")
    site = site.replace("server_name movies.example.org;", f"server_name {SERVER_NAMES};")
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{upstream_port}")
    return site.replace("/srv/movie-service", str(REPO_ROOT))


def write_config(prefix: Path, *, listen_port: int, upstream_port: int) -> Path:
    site = render_site(listen_port=listen_port, upstream_port=upstream_port)
    (prefix / "site.conf").write_text(site.replace(CACHE_DIR, str(prefix / "cache")))
    user = "user root;" if os.geteuid() == 0 else ""
    main = prefix / "nginx.conf"
    main.write_text(MAIN_CONF.format(user=user, prefix=prefix))
    return main


def check_config(main: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on the rendered configuration."""
    command = [NGINX, "-t", "-p", str(main.parent), "-c", str(main)]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


@contextmanager
def running_nginx(prefix: Path, *, upstream_port: int) -> Iterator[RunningNginx]:
    """NGINX in the foreground for the block, proxying to 127.0.0.1:upstream_port."""
    port = free_port()
    main = write_config(prefix, listen_port=port, upstream_port=upstream_port)
    command = [NGINX, "-p", str(prefix), "-c", str(main), "-g", "daemon off;"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running = RunningNginx(url=f"http://127.0.0.1:{port}", port=port, prefix=prefix)
    try:
        _wait_until_listening(running, process)
        yield running
    finally:
        stop(process)


def _wait_until_listening(running: RunningNginx, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((running.prefix / "error.log").read_text(errors="replace"))
        try:
            requests.get(f"{running.url}/healthz", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not listen in time")
