"""What keeps make test's pytest-xdist workers apart: a database and ports of each one's own."""

from __future__ import annotations

import socket
from itertools import combinations, count
from pathlib import Path

import pytest
from sqlalchemy import make_url

from tests.conftest import worker_database_url
from tests.support import simulator
from tests.support.simulator import HOST, free_port, worker_port_block

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
WORKERS = [f"gw{n}" for n in range(25)]


def test_each_worker_has_a_database_of_its_own_on_the_same_server():
    url = "postgresql+psycopg2://ci@db.test:6543/movies_ci?sslmode=require"

    urls = [make_url(worker_database_url(url, worker)) for worker in ("gw0", "gw1")]

    assert [u.database for u in urls] == ["movies_ci_gw0", "movies_ci_gw1"]
    assert {(u.host, u.port, u.username, u.query["sslmode"]) for u in urls} == {
        ("db.test", 6543, "ci", "require")
    }


def test_outside_xdist_the_database_is_the_one_given():
    assert (
        worker_database_url("postgresql://ci@db.test/movies", "")
        == "postgresql://ci@db.test/movies"
    )
    assert worker_database_url("", "gw0") == ""


def test_no_two_workers_share_a_port():
    blocks = [set(worker_port_block(worker) or ()) for worker in WORKERS]

    assert all(blocks)
    assert all(not a & b for a, b in combinations(blocks, 2))


@pytest.mark.skipif(not EPHEMERAL_RANGE.exists(), reason="Linux tells its ephemeral range there")
def test_workers_ports_are_outside_the_range_the_kernel_picks_from():
    low, high = map(int, EPHEMERAL_RANGE.read_text().split())
    for worker in WORKERS:
        block = worker_port_block(worker)
        assert block is not None and (block.stop <= low or block.start > high), worker


def test_a_worker_is_given_ports_of_its_block_and_skips_one_in_use(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw7")
    block = worker_port_block("gw7")
    assert block is not None
    ports = {free_port() for _ in range(20)}
    # The next pick would be a port that something now listens on: it takes the one after.
    taken_port = min(ports)
    monkeypatch.setattr(simulator, "_worker_port_offsets", count(taken_port - block.start))
    with socket.socket() as taken:
        taken.bind((HOST, taken_port))
        taken.listen()
        picked = free_port()

    assert ports <= set(block) and len(ports) == 20
    assert picked in block and picked != taken_port
