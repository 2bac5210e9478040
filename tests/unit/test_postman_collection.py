import json
import re
import runpy
from pathlib import Path

from src import create_app
from tests.conftest import settings_for_tests

ROOT = Path(__file__).resolve().parents[2]
ANY_ID = "00000000-0000-4000-8000-000000000000"  # fits <uuid:...> and <string> alike


def test_committed_collection_matches_its_builder():
    builder = runpy.run_path(str(ROOT / "postman/build.py"))
    committed = (ROOT / "postman/movie-service.postman_collection.json").read_text()
    assert committed == builder["render"](), "run: .venv/bin/python postman/build.py"


def test_collection_is_postman_v2_1_with_a_test_on_every_request():
    collection = json.loads((ROOT / "postman/movie-service.postman_collection.json").read_text())
    assert collection["info"]["schema"].endswith("/v2.1.0/collection.json")
    requests = [item for folder in collection["item"] for item in folder["item"]]
    assert requests
    for item in requests:
        scripts = [event for event in item["event"] if event["listen"] == "test"]
        assert scripts and scripts[0]["script"]["exec"], item["name"]


def test_logout_is_the_last_folder():
    collection = json.loads((ROOT / "postman/movie-service.postman_collection.json").read_text())
    assert collection["item"][-1]["name"] == "Logout"


def _covered_routes(app) -> set[tuple[str, str]]:
    """(method, URL rule) of every request in the collection, as the app routes it."""
    collection = json.loads((ROOT / "postman/movie-service.postman_collection.json").read_text())
    adapter = app.url_map.bind("localhost")
    covered = set()
    for folder in collection["item"]:
        for item in folder["item"]:
            method = item["request"]["method"]
            path = item["request"]["url"]["raw"].removeprefix("{{baseUrl}}").partition("?")[0]
            path = re.sub(r"\{\{\w+\}\}", ANY_ID, path)
            rule, _ = adapter.match(path, method=method, return_rule=True)
            covered.add((method, rule.rule))
    return covered


def test_the_collection_calls_every_route_with_every_method(tmp_path):
    app = create_app(settings_for_tests(f"sqlite:///{tmp_path}/routes.db", str(tmp_path)))
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - _covered_routes(app) == set(), "add requests to postman/requests_*.py"
