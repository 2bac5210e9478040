"""The cinemaworld and filmworld APIs over real HTTP."""

import json
from collections.abc import Iterator

import pytest
import requests

from tests.support.simulator import REPO_ROOT, REQUEST_TIMEOUT_S, RunningSimulator

PROVIDERS = ("cinemaworld", "filmworld")
ID_PREFIXES = {"cinemaworld": "cw", "filmworld": "fw"}
SUMMARY_FIELDS = ["Title", "Year", "ID", "Type", "Poster"]


class ProviderClient:
    """Calls to the simulator's provider APIs, with a given token."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.base_url = f"{base_url}/api"
        self.session = requests.Session()
        self.session.headers.update(headers)

    def get(self, path: str) -> requests.Response:
        """GET a path under /api/."""
        return self.session.get(f"{self.base_url}/{path}", timeout=REQUEST_TIMEOUT_S)

    def post_movie(self, provider: str, movie: object) -> requests.Response:
        """POST a movie to the provider."""
        url = f"{self.base_url}/{provider}/movie"
        return self.session.post(url, json=movie, timeout=REQUEST_TIMEOUT_S)


@pytest.fixture
def providers(
    simulator: RunningSimulator, provider_headers: dict[str, str]
) -> Iterator[ProviderClient]:
    """A client with the right token."""
    client = ProviderClient(simulator.url, provider_headers)
    with client.session:
        yield client


def sample_movies(provider: str) -> list[dict[str, str]]:
    """The provider's sample records as the simulator ships them."""
    path = REPO_ROOT / "simulator" / "data" / f"{provider}.json"
    return json.loads(path.read_text(encoding="utf-8"))["movies"]


def new_movie(**fields: str) -> dict[str, str]:
    """A movie record fit to post, with the given fields changed."""
    return {"Title": "Simulated Sunrise", "Year": "2021", "Price": "14.5", **fields}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_list_has_every_sample_movie_in_short_form(
    providers: ProviderClient, provider: str
) -> None:
    response = providers.get(f"{provider}/movies")
    assert response.status_code == 200
    listed = {movie["ID"]: movie for movie in response.json()["Movies"]}
    for sample in sample_movies(provider):
        assert listed[sample["ID"]] == {field: sample[field] for field in SUMMARY_FIELDS}
    assert all(list(movie) == SUMMARY_FIELDS for movie in listed.values())


@pytest.mark.parametrize("provider", PROVIDERS)
def test_detail_is_the_full_record_of_strings(providers: ProviderClient, provider: str) -> None:
    sample = sample_movies(provider)[0]
    response = providers.get(f"{provider}/movies/{sample['ID']}")
    assert response.status_code == 200
    assert response.json() == sample
    assert all(isinstance(value, str) for value in response.json().values())


def test_detail_keeps_the_outlier_price(providers: ProviderClient) -> None:
    assert providers.get("cinemaworld/movies/cw0120915").json()["Price"] == "123343.5"


def test_unknown_movie_id_is_404(providers: ProviderClient) -> None:
    response = providers.get("filmworld/movies/fw2488496")
    assert response.status_code == 404
    assert "fw2488496" in response.json()["detail"]


def test_unknown_provider_is_404(providers: ProviderClient) -> None:
    assert providers.get("moviepalace/movies").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "movies"), ("GET", "movies/cw0076759"), ("POST", "movie")],
)
@pytest.mark.parametrize("headers", [{}, {"x-access-token": "wrong-token"}], ids=["none", "wrong"])
def test_every_endpoint_refuses_a_missing_or_wrong_token(
    simulator: RunningSimulator, method: str, path: str, headers: dict[str, str]
) -> None:
    response = requests.request(
        method,
        f"{simulator.url}/api/cinemaworld/{path}",
        headers=headers,
        json=new_movie(),
        timeout=REQUEST_TIMEOUT_S,
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Missing or invalid x-access-token."}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_posted_movie_is_201_with_a_provider_id(providers: ProviderClient, provider: str) -> None:
    posted = providers.post_movie(provider, new_movie(Title=f"New at {provider}"))
    assert posted.status_code == 201
    assert posted.json()["ID"].startswith(ID_PREFIXES[provider])
    assert posted.json()["Price"] == "14.5"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_posted_movie_can_be_read_back(providers: ProviderClient, provider: str) -> None:
    movie = providers.post_movie(provider, new_movie(Title=f"Read back at {provider}")).json()
    assert providers.get(f"{provider}/movies/{movie['ID']}").json() == movie
    listing = providers.get(f"{provider}/movies").json()["Movies"]
    assert movie["ID"] in {listed["ID"] for listed in listing}


def test_posted_movie_keeps_the_id_it_brings(providers: ProviderClient) -> None:
    posted = providers.post_movie("filmworld", new_movie(ID="fw7654321"))
    assert posted.status_code == 201
    assert posted.json()["ID"] == "fw7654321"


def test_posting_an_existing_id_is_409(providers: ProviderClient) -> None:
    assert providers.post_movie("cinemaworld", new_movie(ID="cw0076759")).status_code == 409


@pytest.mark.parametrize(
    "movie",
    [
        {"Year": "2021", "Price": "14.5"},
        {"Title": "No year", "Price": "14.5"},
        {"Title": "No price", "Year": "2021"},
        {"Title": "", "Year": "2021", "Price": "14.5"},
        {"Title": "Numeric price", "Year": "2021", "Price": 14.5},
        {"Title": "Bad price", "Year": "2021", "Price": "cheap"},
        {"Title": "Bad ID", "Year": "2021", "Price": "1", "ID": "fw0000001"},
    ],
    ids=["no-title", "no-year", "no-price", "empty-title", "number", "not-decimal", "other-prefix"],
)
def test_posting_an_invalid_movie_is_422(
    providers: ProviderClient, movie: dict[str, object]
) -> None:
    posted = providers.post_movie("cinemaworld", movie)
    assert posted.status_code == 422
    assert posted.json()["detail"]


def test_posting_malformed_json_is_400(providers: ProviderClient) -> None:
    posted = providers.session.post(
        f"{providers.base_url}/cinemaworld/movie",
        headers={"Content-Type": "application/json"},
        data="{not json",
        timeout=REQUEST_TIMEOUT_S,
    )
    assert posted.status_code == 400
