import json
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
