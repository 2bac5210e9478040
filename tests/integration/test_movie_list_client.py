"""The movie list client over real HTTP to the simulator."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from src.clients.movie_list import MovieListEntry, MovieListPage, MovieListSettings, fetch_page
from src.errors import NotFound, UpstreamBadGateway
from tests.conftest import SIMULATOR_CREDENTIALS

pytestmark = pytest.mark.usefixtures("fresh_upstreams")


@pytest.fixture
def settings(simulator):
    return MovieListSettings(
        url=f"{simulator.url}/api/v1/maya/movies/",
        username=SIMULATOR_CREDENTIALS["MOVIE_LIST_USERNAME"],
        password=SIMULATOR_CREDENTIALS["MOVIE_LIST_PASSWORD"],
        deadline_s=2.0,
    )


def test_a_page_comes_back_as_dataclasses(settings):
    page = fetch_page(settings=settings, page=1)
    assert isinstance(page, MovieListPage)
    assert page.count == 2000
    assert (page.has_previous, page.has_next) == (False, True)
    assert len(page.movies) == 10
    assert all(isinstance(movie, MovieListEntry) for movie in page.movies)
    assert page.movies[0].title == "The Wizard of Oz"


def test_past_the_end_is_not_found(settings):
    with pytest.raises(NotFound):
        fetch_page(settings=settings, page=201)


def test_wrong_password_is_a_bad_gateway(settings):
    wrong = MovieListSettings(url=settings.url, username=settings.username, password="nope")
    with pytest.raises(UpstreamBadGateway):
        fetch_page(settings=wrong, page=1)


def test_settings_never_show_the_password(settings):
    assert settings.password not in repr(settings)
    assert settings.password not in str(settings)


def test_concurrent_calls_to_a_slow_list_are_not_serialised(settings, simulator):
    simulator.set_faults("movielist", latency_ms=800)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        pages = list(pool.map(lambda page: fetch_page(settings=settings, page=page), range(1, 5)))
    assert [len(page.movies) for page in pages] == [10] * 4
    assert time.monotonic() - started < 2.4  # one after the other would take 3.2 s or more
