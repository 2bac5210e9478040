"""The movie list API over real HTTP: basic auth, pagination and the entries."""

import re
from collections.abc import Callable, Iterator

import pytest
import requests

from tests.support.simulator import REQUEST_TIMEOUT_S, RunningSimulator

DEFAULT_SIZE = 2000
LAST_PAGE = 200
PageFetcher = Callable[..., requests.Response]


def movies_url(simulator: RunningSimulator) -> str:
    """The movie list endpoint of the simulator."""
    return f"{simulator.url}/api/v1/maya/movies/"


def page_url(simulator: RunningSimulator, page: int) -> str:
    """The absolute link the simulator gives for a page."""
    return f"{movies_url(simulator)}?page={page}"


@pytest.fixture
def get_page(
    simulator: RunningSimulator, movie_list_auth: tuple[str, str]
) -> Iterator[PageFetcher]:
    """A fetcher of one page's response, with valid credentials."""
    with requests.Session() as session:
        session.auth = movie_list_auth

        def fetch_page(page: object = None) -> requests.Response:
            params = {} if page is None else {"page": page}
            return session.get(movies_url(simulator), params=params, timeout=REQUEST_TIMEOUT_S)

        yield fetch_page


@pytest.fixture(scope="module")
def every_movie(simulator: RunningSimulator, movie_list_auth: tuple[str, str]) -> list[dict]:
    """The whole list, walked page by page along the next links."""
    movies: list[dict] = []
    url: str | None = movies_url(simulator)
    with requests.Session() as session:
        session.auth = movie_list_auth
        while url and len(movies) <= DEFAULT_SIZE:
            page = session.get(url, timeout=REQUEST_TIMEOUT_S).json()
            movies.extend(page["results"])
            url = page["next"]
    return movies


def test_page_one_is_the_default(get_page: PageFetcher) -> None:
    assert get_page().json() == get_page(1).json()


def test_a_page_has_ten_movies_and_the_total_count(get_page: PageFetcher) -> None:
    body = get_page(2).json()
    assert body["count"] == DEFAULT_SIZE
    assert len(body["results"]) == 10


def test_middle_page_links_its_neighbours_absolutely(
    get_page: PageFetcher, simulator: RunningSimulator
) -> None:
    body = get_page(5).json()
    assert body["next"] == page_url(simulator, 6)
    assert body["previous"] == page_url(simulator, 4)


def test_first_page_has_no_previous(get_page: PageFetcher, simulator: RunningSimulator) -> None:
    body = get_page(1).json()
    assert body["previous"] is None
    assert body["next"] == page_url(simulator, 2)


def test_last_page_has_no_next(get_page: PageFetcher, simulator: RunningSimulator) -> None:
    body = get_page(LAST_PAGE).json()
    assert len(body["results"]) == 10
    assert body["next"] is None
    assert body["previous"] == page_url(simulator, LAST_PAGE - 1)


def test_page_past_the_end_is_404(get_page: PageFetcher) -> None:
    response = get_page(LAST_PAGE + 1)
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


@pytest.mark.parametrize("page", ["0", "-1", "1.5", "two", "", "١"])
def test_page_that_is_not_a_positive_integer_is_404(get_page: PageFetcher, page: str) -> None:
    response = get_page(page)
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_entries_have_the_four_fields_as_strings(get_page: PageFetcher) -> None:
    for movie in get_page(1).json()["results"]:
        assert list(movie) == ["title", "description", "genres", "uuid"]
        assert all(isinstance(value, str) for value in movie.values())


def test_imdb_genres_are_joined_without_spaces(get_page: PageFetcher) -> None:
    first = get_page(1).json()["results"][0]
    assert first["title"] == "The Wizard of Oz"
    assert first["genres"] == "Adventure,Family,Fantasy,Musical"


def test_walking_the_next_links_yields_count_movies(every_movie: list[dict]) -> None:
    assert len(every_movie) == DEFAULT_SIZE


def test_every_movie_has_its_own_uuid(every_movie: list[dict]) -> None:
    assert len({movie["uuid"] for movie in every_movie}) == DEFAULT_SIZE


def test_genres_are_joined_by_bare_commas(every_movie: list[dict]) -> None:
    for movie in every_movie:
        if movie["genres"]:
            names = movie["genres"].split(",")
            assert names == [name.strip() for name in names if name.strip()], movie


def test_some_movies_have_no_genres(every_movie: list[dict]) -> None:
    empty = [movie for movie in every_movie if movie["genres"] == ""]
    assert len(empty) >= DEFAULT_SIZE // 10


def test_some_titles_are_not_latin(every_movie: list[dict]) -> None:
    scripts = {
        "cyrillic": re.compile(r"[\u0400-\u04ff]"),
        "japanese": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"),
        "arabic": re.compile(r"[\u0600-\u06ff]"),
    }
    for script, letters in scripts.items():
        assert any(letters.search(movie["title"]) for movie in every_movie), script


def test_missing_credentials_are_401_with_a_basic_challenge(simulator: RunningSimulator) -> None:
    response = requests.get(movies_url(simulator), timeout=REQUEST_TIMEOUT_S)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("basic")
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    "credentials",
    [("test-user", "wrong-password"), ("someone", "test-password"), ("", "")],
    ids=["wrong-password", "wrong-username", "empty"],
)
def test_wrong_credentials_are_401(
    simulator: RunningSimulator, credentials: tuple[str, str]
) -> None:
    response = requests.get(movies_url(simulator), auth=credentials, timeout=REQUEST_TIMEOUT_S)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid username/password."}


def test_a_bearer_token_is_not_basic_auth(simulator: RunningSimulator) -> None:
    response = requests.get(
        movies_url(simulator),
        headers={"Authorization": "Bearer test-password"},
        timeout=REQUEST_TIMEOUT_S,
    )
    assert response.status_code == 401
