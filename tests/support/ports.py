"""Loopback ports that fail the way real upstreams do: refused, or never answering."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.simulator import HOST, free_port

FILL_TIMEOUT_S = 1.0


def refused_url(path: str = "/") -> str:
    """A URL on a loopback port nothing listens on: connecting is refused at once."""
    return f"http://{HOST}:{free_port()}{path}"


@contextmanager
def unanswered_url(path: str = "/") -> Iterator[str]:
    """A URL whose port listens but never completes a connection: connect() times out.

    The listener never accepts and its backlog (0) is filled by one connection; Linux then
    drops further SYNs, so a client waits as it would for a host that has gone silent.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((HOST, 0))
        listener.listen(0)
        with socket.create_connection(listener.getsockname(), timeout=FILL_TIMEOUT_S):
            yield f"http://{HOST}:{listener.getsockname()[1]}{path}"
