from datetime import date

from src.catalog.seed import demo_records, movie_fields


def test_each_film_is_seeded_once_from_both_providers():
    ids = [record["ID"][2:] for record in demo_records()]
    assert len(ids) == len(set(ids)) == 7


def test_derived_fields_of_a_provider_record():
    record = {
        "Title": "Star Wars",
        "Year": "1977",
        "Runtime": "121 min",
        "Rating": "8.7",
        "Genre": "Action, Adventure",
        "Director": "George Lucas",
        "Plot": "Rebels.",
    }
    fields = movie_fields(record)
    assert fields["length"] == 121
    assert fields["rating"] == 4  # 8.7 / 2 = 4.35
    assert fields["format"] == "Streaming"
    assert fields["genres"] == ["Action", "Adventure"]
    assert fields["expiry_date"] == date(2027, 1, 1)
    assert fields["imdb_score"] == 8.7


def test_rating_is_kept_within_one_and_five():
    base = {"Title": "x", "Year": "2000", "Runtime": "90 min", "Genre": ""}
    assert movie_fields({**base, "Rating": "0.4"})["rating"] == 1
    assert movie_fields({**base, "Rating": "10"})["rating"] == 5
