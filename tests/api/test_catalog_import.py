"""flask catalog import / export: files in, the catalog the API then serves, rejects out."""

from __future__ import annotations

import csv
import gzip
import json

import pytest
from sqlalchemy import inspect, text

from src.extensions import db

HEADER = (
    "external_id,title,format,length,release_year,rating,genres,director,description,"
    "expiry_date,imdb_score,popularity"
)
ALIEN = (
    'm1,Alien,DVD,117,1979,5,Horror|Science Fiction,Ridley Scott,"In space,\nno one hears",'
    "2030-01-01,8.5,90"
)
HEAT = "m2,Heat,VHS,170,1995,4,crime,Michael Mann,,,,"


@pytest.fixture
def run_import(app, client, tmp_path):
    def run(name, content, *args, **invoke):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        file = "-" if invoke.get("input") is not None else str(path)
        result = app.test_cli_runner().invoke(args=["catalog", "import", file, *args], **invoke)
        return result, path

    return run


def _movies(client, headers, **query):
    response = client.get(
        "/catalog/movies/", query_string={"page_size": 100, **query}, headers=headers
    )
    assert response.status_code == 200
    return response.json


def _rejects(path):
    with open(f"{path}.rejects.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_csv_file_is_imported_with_its_genres(run_import, client, user_headers):
    result, _ = run_import("movies.csv", f"{HEADER}\n{ALIEN}\n{HEAT}\n")
    assert result.exit_code == 0, result.output
    assert "2 row(s) read: 2 imported, 0 updated, 0 rejected" in result.output
    listed = _movies(client, user_headers)
    assert listed["count"] == 2
    alien = next(movie for movie in listed["data"] if movie["title"] == "Alien")
    assert alien["genres"] == ["Horror", "Science Fiction"]
    assert alien["description"] == "In space,\nno one hears"
    assert (alien["expiry_date"], alien["imdb_score"], alien["popularity"]) == (
        "2030-01-01",
        8.5,
        90.0,
    )
    heat = next(movie for movie in listed["data"] if movie["title"] == "Heat")
    assert (heat["description"], heat["expiry_date"], heat["genres"]) == (None, None, ["crime"])


def test_json_lines_gzip_and_standard_input(run_import, client, user_headers):
    lines = [
        {
            "external_id": "j1",
            "title": "Ran",
            "format": "DVD",
            "length": 162,
            "release_year": 1985,
            "rating": 5,
            "genres": ["War"],
        },
        {"title": "Ikiru", "format": "VHS", "length": 143, "release_year": 1952, "rating": 5},
    ]
    body = gzip.compress("".join(json.dumps(line) + "\n" for line in lines).encode())
    result, _ = run_import("movies.jsonl.gz", body)
    assert "2 imported" in result.output, result.output
    result, _ = run_import(
        "x", b"", "--format", "csv", input=gzip.compress(f"{HEADER}\n{HEAT}\n".encode())
    )
    assert "1 imported" in result.output, result.output
    titles = sorted(movie["title"] for movie in _movies(client, user_headers)["data"])
    assert titles == ["Heat", "Ikiru", "Ran"]


def test_bad_rows_go_to_the_rejects_file_with_their_line_and_problem(
    run_import, client, user_headers
):
    rows = [
        ALIEN,  # lines 2-3
        "b1,Bad,Laserdisc,100,1990,3,,,,,,",
        "b2,Heat,VHS,abc,1995,4,,,,,,",
        f"b3,{'x' * 51},VHS,100,1995,4,,,,,,",
        "b4,Dated,VHS,100,1995,4,,,,2030-02-30,,",
        "b5,Short,VHS,100,1995",
        HEAT,
    ]
    result, path = run_import("movies.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    assert result.exit_code == 0, result.output
    assert "7 row(s) read: 2 imported, 0 updated, 5 rejected" in result.output
    rejects = _rejects(path)
    assert [row["line"] for row in rejects] == ["4", "5", "6", "7", "8"]
    assert rejects[0]["problem"].startswith("format: Must be one of")
    assert rejects[1]["problem"] == "length: Not a valid integer."
    assert rejects[2]["problem"].startswith("title: Length must be between 1 and 50")
    assert rejects[3]["problem"] == "expiry_date: Not a valid date."
    assert rejects[4]["problem"] == "5 values for 12 columns"
    assert rejects[1]["record"] == "b2,Heat,VHS,abc,1995,4,,,,,,"
    assert _movies(client, user_headers)["count"] == 2


def test_an_unknown_column_stops_the_import_before_any_row(run_import, client, user_headers):
    result, _ = run_import("movies.csv", f"{HEADER},budget\n{ALIEN},1\n")
    assert result.exit_code != 0
    assert "Unknown column(s) ['budget']" in result.output
    assert _movies(client, user_headers)["count"] == 0


def test_a_reimport_updates_the_same_movies_by_external_id(run_import, client, user_headers):
    run_import("movies.csv", f"{HEADER}\n{ALIEN}\n{HEAT}\n")
    changed = HEAT.replace("Heat,VHS,170", "Heat (1995),DVD,171").replace("crime", "Crime|Drama")
    result, _ = run_import("movies.csv", f"{HEADER}\n{ALIEN}\n{changed}\n")
    assert "2 row(s) read: 0 imported, 2 updated, 0 rejected" in result.output
    listed = _movies(client, user_headers)
    assert listed["count"] == 2
    heat = next(movie for movie in listed["data"] if movie["title"] == "Heat (1995)")
    assert (heat["format"], heat["length"]) == ("DVD", 171)
    assert sorted(heat["genres"]) == ["Drama", "crime"]


def test_a_search_by_word_finds_what_each_import_wrote(run_import, client, user_headers, backend):
    # On Postgres the first import loads an empty catalog in one transaction, the second
    # upserts by external_id: each keeps the catalog's words (migration 0017) in step.
    run_import("movies.csv", f"{HEADER}\n{ALIEN}\n{HEAT}\n")
    renamed = HEAT.replace("Heat,VHS", "Manhunter,VHS").replace("Michael Mann", "Kathryn Bigelow")
    result, _ = run_import("movies.csv", f"{HEADER}\n{ALIEN}\n{renamed}\n")
    assert "0 imported, 2 updated" in result.output, result.output
    for q, found in [("heat", []), ("manhunter", ["Manhunter"]), ("michael", []),
                     ("bigelow", ["Manhunter"]), ("ridley", ["Alien"])]:  # fmt: skip
        listed = _movies(client, user_headers, q=q)
        assert [movie["title"] for movie in listed["data"]] == found, q
        assert listed["count"] == len(found)
    typo = _movies(client, user_headers, q="manhuntre")
    assert [movie["title"] for movie in typo["data"]] == (
        ["Manhunter"] if backend == "postgres" else []
    )


def test_a_cached_catalog_read_sees_the_import(run_import, client, user_headers):
    before = client.get("/catalog/movies/", headers=user_headers)
    assert before.json["count"] == 0
    run_import("movies.csv", f"{HEADER}\n{ALIEN}\n")
    after = client.get(
        "/catalog/movies/", headers={**user_headers, "If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200
    assert after.json["count"] == 1


def test_the_export_imports_back_to_the_same_catalog(
    app, run_import, client, user_headers, admin_headers, tmp_path
):
    run_import("movies.csv", f"{HEADER}\n{ALIEN}\n{HEAT}\n")
    posted = {
        "title": "No Key",
        "format": "Streaming",
        "length": 90,
        "release_year": 2001,
        "rating": 2,
        "description": "tab\there",
        "genres": ["Rock|Pop", "AC\\DC", "Ends\\", "Plain"],  # the separator, the escape
    }
    assert client.post("/catalog/movies/", json=posted, headers=admin_headers).status_code == 201
    runner = app.test_cli_runner()
    first = tmp_path / "first.csv"
    assert runner.invoke(args=["catalog", "export", str(first)]).exit_code == 0
    before = _movies(client, user_headers)["data"]
    for movie in before:
        client.delete(f"/catalog/movies/{movie['id']}/", headers=admin_headers)
    assert _movies(client, user_headers)["count"] == 0
    result = runner.invoke(args=["catalog", "import", str(first)])
    assert "3 row(s) read: 3 imported" in result.output, result.output
    second = tmp_path / "second.csv"
    runner.invoke(args=["catalog", "export", str(second)])
    assert sorted(first.read_text().splitlines()) == sorted(second.read_text().splitlines())
    after = _movies(client, user_headers)["data"]
    assert [_fields(movie) for movie in after] == [_fields(movie) for movie in before]


def _fields(movie):
    return {
        name: value
        for name, value in movie.items()
        if name not in ("id", "created_at", "updated_at")
    }


def _schema_objects(app, backend):
    with app.app_context():
        connection = db.session.connection()
        inspector = inspect(connection)
        objects = {
            table: (
                sorted(index["name"] for index in inspector.get_indexes(table)),
                sorted(key["name"] for key in inspector.get_foreign_keys(table)),
                inspector.get_pk_constraint(table)["name"],
            )
            for table in ("movies", "movie_genres")
        }
        if backend == "postgres":  # the derived tables' key, and their triggers on
            objects["movie_words"] = inspector.get_pk_constraint("movie_words")
            objects["triggers"] = connection.execute(
                text(
                    "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal "
                    "AND tgrelid IN ('movies'::regclass, 'movie_genres'::regclass) "
                    "ORDER BY tgname"
                )
            ).all()
        return objects


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")  # SQLite's expression ones
def test_an_import_into_an_empty_catalog_keeps_every_index_and_foreign_key(
    app, run_import, client, user_headers, backend
):
    before = _schema_objects(app, backend)
    result, _ = run_import("movies.csv", f"{HEADER}\n{ALIEN}\n{HEAT}\n", "--batch-size", "1")
    assert "2 row(s) read: 2 imported, 0 updated, 0 rejected" in result.output, result.output
    assert _schema_objects(app, backend) == before
    assert _movies(client, user_headers, genre="crime")["count"] == 1


def test_rows_the_fast_checks_leave_to_the_schema_are_still_imported(
    run_import, client, user_headers
):
    lines = [
        {"title": " Ran ", "format": "DVD", "length": 162, "release_year": 1985, "rating": 5,
         "imdb_score": 8, "genres": [" War "]},
        {"title": "Ikiru", "format": "VHS", "length": 143.0, "release_year": 1952, "rating": 5},
    ]  # fmt: skip
    result, path = run_import("movies.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    assert "2 row(s) read: 1 imported, 0 updated, 1 rejected" in result.output, result.output
    ran = _movies(client, user_headers)["data"][0]
    assert (ran["title"], ran["imdb_score"], ran["genres"]) == ("Ran", 8.0, ["War"])
    assert _rejects(path)[0]["problem"] == "length: Not a valid integer."


def test_a_load_into_an_empty_catalog_is_vacuumed_so_index_only_scans_skip_the_heap(
    isolated_app, backend, tmp_path
):
    if backend != "postgres":
        pytest.skip("the one-transaction load into an empty catalog is Postgres's")
    rows = "".join(f"v{number},Movie {number},DVD,90,2000,3,drama,,,,,\n" for number in range(500))
    path = tmp_path / "movies.csv"
    path.write_text(f"{HEADER}\n{rows}", encoding="utf-8")
    result = isolated_app.test_cli_runner().invoke(args=["catalog", "import", str(path)])
    assert "500 imported" in result.output, result.output
    with isolated_app.app_context():
        pages, visible = db.session.execute(
            text("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'movies'")
        ).one()
        db.session.execute(text("DELETE FROM movies"))
        db.session.commit()
    assert pages > 0 and visible == pages


@pytest.mark.parametrize("batch_size", ["1", "100"])  # the repeat in a later batch, or its own
def test_values_that_need_escaping_and_a_key_repeated_later_load_as_given(
    run_import, client, user_headers, batch_size
):
    base = {"format": "DVD", "length": 90, "release_year": 2000, "rating": 3}
    lines = [
        {**base, "external_id": "e1", "title": "First", "genres": ["War"]},
        {**base, "external_id": "e2", "title": "Back\\slash \\N", "director": "\\N",
         "genres": ["War", "war", "Drama"]},
        {**base, "external_id": "e3", "title": "Tabs", "description": "tab\there\r\nline \\t"},
        {**base, "external_id": "e1", "title": "First, again", "genres": ["Comedy"]},
    ]  # fmt: skip
    body = "".join(json.dumps(line) + "\n" for line in lines)
    result, _ = run_import("movies.jsonl", body, "--batch-size", batch_size)
    assert "4 row(s) read: 3 imported, 1 updated, 0 rejected" in result.output, result.output
    movies = {movie["title"]: movie for movie in _movies(client, user_headers)["data"]}
    assert sorted(movies) == ["Back\\slash \\N", "First, again", "Tabs"]
    assert movies["Back\\slash \\N"]["director"] == "\\N"
    assert sorted(movies["Back\\slash \\N"]["genres"]) == ["Drama", "War"]  # war: the same
    assert movies["Tabs"]["description"] == "tab\there\r\nline \\t"
    assert movies["First, again"]["genres"] == ["Comedy"]
    # The words and genre counts follow the load, the upserted batch's changes included.
    for q, found in [("again", ["First, again"]), ("first", ["First, again"]), ("tabs", ["Tabs"])]:
        listed = _movies(client, user_headers, q=q)
        assert [movie["title"] for movie in listed["data"]] == found, q
        assert listed["count"] == len(found)
    assert _movies(client, user_headers, genre="war")["count"] == 1
    assert _movies(client, user_headers, genre="comedy")["count"] == 1
