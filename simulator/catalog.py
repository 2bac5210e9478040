"""The two price providers' movies: the sample records plus those posted since start."""

import itertools
import json
import re
import threading
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import cast

# The same film has the same number at both providers, behind the provider's prefix.
PROVIDER_PREFIXES = {"cinemaworld": "cw", "filmworld": "fw"}
SUMMARY_FIELDS = ("Title", "Year", "ID", "Type", "Poster")
REQUIRED_FIELDS = ("Title", "Year", "Price")
FIRST_NEW_NUMBER = 9_000_001

MovieRecord = dict[str, str]


class InvalidMovie(ValueError):
    """A posted movie the provider would refuse."""


class DuplicateMovie(ValueError):
    """A posted movie whose ID the provider already has."""


class ProviderCatalog:
    """One provider's movies, keyed by ID, shared by the server's threads."""

    def __init__(self, *, prefix: str, records: list[MovieRecord]) -> None:
        self.prefix = prefix
        self._lock = threading.Lock()
        self._movies = {record["ID"]: record for record in records}
        self._numbers = itertools.count(FIRST_NEW_NUMBER)

    def summaries(self) -> list[MovieRecord]:
        """The list endpoint's short form of every movie."""
        with self._lock:
            movies = list(self._movies.values())
        return [{field: movie.get(field, "") for field in SUMMARY_FIELDS} for movie in movies]

    def find(self, movie_id: str) -> MovieRecord | None:
        """The full record of a movie, if the provider has it."""
        with self._lock:
            return self._movies.get(movie_id)

    def add(self, raw: dict[str, object]) -> MovieRecord:
        """Store a posted movie, giving it an ID unless it brings one."""
        record = check_movie(raw, prefix=self.prefix)
        with self._lock:
            movie_id = record.get("ID") or self._fresh_id()
            if movie_id in self._movies:
                raise DuplicateMovie(f"Movie {movie_id} already exists.")
            stored = {**record, "ID": movie_id}
            stored.setdefault("Type", "movie")
            stored.setdefault("Poster", "N/A")
            self._movies[movie_id] = stored
        return stored

    def _fresh_id(self) -> str:
        while (movie_id := f"{self.prefix}{next(self._numbers):07d}") in self._movies:
            pass
        return movie_id


def check_movie(raw: dict[str, object], *, prefix: str) -> MovieRecord:
    """The posted movie as a record of strings, or InvalidMovie saying what is wrong."""
    missing = [name for name in REQUIRED_FIELDS if not _filled_string(raw.get(name))]
    if missing:
        raise InvalidMovie(f"{', '.join(missing)} must be non-empty strings.")
    not_strings = sorted(name for name, value in raw.items() if not isinstance(value, str))
    if not_strings:
        raise InvalidMovie(f"Every value must be a string: {', '.join(not_strings)}.")
    record = cast(MovieRecord, dict(raw))
    if not _is_price(record["Price"]):
        raise InvalidMovie("Price must be a non-negative decimal number.")
    if "ID" in record and not re.fullmatch(rf"{prefix}[0-9]+", record["ID"]):
        raise InvalidMovie(f"ID must be {prefix} followed by digits.")
    return record


def load_catalogs(data_dir: Path) -> dict[str, ProviderCatalog]:
    """Every provider's catalog, from its sample file."""
    return {
        name: ProviderCatalog(prefix=prefix, records=_read_records(data_dir / f"{name}.json"))
        for name, prefix in PROVIDER_PREFIXES.items()
    }


def _read_records(path: Path) -> list[MovieRecord]:
    return json.loads(path.read_text(encoding="utf-8"))["movies"]


def _filled_string(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_price(value: str) -> bool:
    try:
        price = Decimal(value)
    except InvalidOperation:
        return False
    return price.is_finite() and price >= 0
