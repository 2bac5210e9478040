"""The movie list's entries: the IMDb sample plus invented films, the same on every start."""

import json
import random
import uuid
from pathlib import Path

# A fixed namespace, so that a title keeps its uuid across restarts and machines.
TITLE_NAMESPACE = uuid.UUID("2f14af33-5608-49e5-99a5-3cb29c69d472")
GENRES = (
    "Action", "Adventure", "Animation", "Biography", "Comedy", "Crime", "Documentary",
    "Drama", "Family", "Fantasy", "History", "Horror", "Music", "Mystery", "Romance",
    "Sci-Fi", "Sport", "Thriller", "War", "Western",
)  # fmt: skip
ADJECTIVES = (
    "Silent", "Last", "Broken", "Golden", "Hidden", "Crimson", "Endless", "Forgotten",
    "Wild", "Distant", "Burning", "Frozen", "Restless", "Quiet", "Lonely", "Iron",
)  # fmt: skip
NOUNS = (
    "Harbor", "Orchard", "Signal", "Frontier", "Lantern", "Voyage", "Kingdom", "Echo",
    "Garden", "Station", "Tide", "Mirror", "Summer", "Promise", "Horizon", "Bridge",
)  # fmt: skip
PLACES = (
    "Marseille", "the North", "Lagos", "the Valley", "Kyoto", "Old Town", "the Coast",
    "Patagonia", "Harlem", "the Steppe",
)  # fmt: skip
THEMES = (
    "a family holding together", "an unlikely friendship", "a debt that comes due",
    "first love and its cost", "a town that keeps a secret", "a journey home",
    "a rivalry that turns to respect", "one long night",
)  # fmt: skip
# The real list carried titles in many scripts; clients must cope with them.
# Each script: first words, second words, and what joins them.
NON_LATIN_TITLE_PARTS = (
    (("Тихий", "Последний", "Северный", "Белый"), ("рассвет", "город", "берег", "поезд"), " "),
    (("東京の", "京都の", "港の", "北の"), ("夜", "夏", "約束", "記憶"), ""),
    (("ليل", "صيف", "ذاكرة", "طريق"), ("القاهرة", "بيروت", "الصحراء", "البحر"), " "),
)
EMPTY_GENRES_RATE = 0.3
NON_LATIN_RATE = 0.15

ListedMovie = dict[str, str]


def load_movie_list(imdb_path: Path, *, size: int) -> list[ListedMovie]:
    """The movie list of the given length, from the IMDb sample and invented films."""
    imdb_records = json.loads(imdb_path.read_text(encoding="utf-8"))
    movies = [_from_imdb(record) for record in imdb_records[:size]]
    taken = {movie["title"] for movie in movies}
    # Sample data, not security; a fixed seed keeps the list the same on every start.
    rng = random.Random("movie-list")  # noqa: S311
    while len(movies) < size:
        movies.append(_invented(rng, taken))
    return movies


def listed_movie(*, title: str, description: str, genres: list[str]) -> ListedMovie:
    """One entry as the movie list answers it."""
    return {
        "title": title,
        "description": description,
        "genres": ",".join(genres),
        "uuid": str(uuid.uuid5(TITLE_NAMESPACE, title)),
    }


def _from_imdb(record: dict[str, object]) -> ListedMovie:
    genres = [str(genre).strip() for genre in record["genre"] if str(genre).strip()]
    kinds = " ".join(genre.lower() for genre in genres[:2]) or "feature"
    description = (
        f"A {kinds} film by {record['director']}, scored {record['imdb_score']} by IMDb users."
    )
    return listed_movie(title=str(record["name"]).strip(), description=description, genres=genres)


def _invented(rng: random.Random, taken: set[str]) -> ListedMovie:
    title = _unique(_invent_title(rng), taken)
    genres = [] if rng.random() < EMPTY_GENRES_RATE else rng.sample(GENRES, rng.randint(1, 3))
    mood = f"{rng.choice(ADJECTIVES)} and {rng.choice(ADJECTIVES).lower()}"
    description = f"{mood}: {rng.choice(THEMES)}."
    return listed_movie(title=title, description=description, genres=genres)


def _invent_title(rng: random.Random) -> str:
    if rng.random() < NON_LATIN_RATE:
        first_words, second_words, separator = rng.choice(NON_LATIN_TITLE_PARTS)
        return f"{rng.choice(first_words)}{separator}{rng.choice(second_words)}"
    pattern = rng.choice(("The {adjective} {noun}", "{noun} of {place}", "{adjective} {noun}"))
    return pattern.format(
        adjective=rng.choice(ADJECTIVES), noun=rng.choice(NOUNS), place=rng.choice(PLACES)
    )


def _unique(title: str, taken: set[str]) -> str:
    candidate, sequel = title, 2
    while candidate in taken:
        candidate, sequel = f"{title} {sequel}", sequel + 1
    taken.add(candidate)
    return candidate
