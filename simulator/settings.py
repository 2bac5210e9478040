"""The simulator's settings: from the caller's config, else the environment, else defaults."""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from simulator.faults import FaultSettings, InvalidFaults, parse_fault_plan

# An unset or empty variable takes its default.
DEFAULTS: dict[str, str] = {
    "PROVIDER_API_TOKEN": "dev-provider-token",
    "MOVIE_LIST_USERNAME": "maya",
    "MOVIE_LIST_PASSWORD": "maya-dev-password",
    "SIM_MOVIELIST_SIZE": "2000",
    "SIM_FAULTS": "{}",
    "SIM_SEED": "",
    "SIM_PROVIDER_DATA_DIR": "",
}
PROVIDER_FILES = ("cinemaworld.json", "filmworld.json")


class ConfigError(ValueError):
    """A setting the simulator cannot start with."""


@dataclass(frozen=True)
class Settings:
    """Everything the simulator reads at start."""

    provider_api_token: str
    movie_list_username: str
    movie_list_password: str
    movie_list_size: int
    faults: dict[str, FaultSettings]
    seed: str | None
    provider_data_dir: Path | None = None


def load_settings(config: Mapping[str, object] | None = None) -> Settings:
    """Read the settings; config keys are the environment variables' names."""
    given = {name: _lookup(name, config or {}) for name in DEFAULTS}
    return Settings(
        provider_api_token=str(given["PROVIDER_API_TOKEN"]),
        movie_list_username=str(given["MOVIE_LIST_USERNAME"]),
        movie_list_password=str(given["MOVIE_LIST_PASSWORD"]),
        movie_list_size=_movie_list_size(given["SIM_MOVIELIST_SIZE"]),
        faults=_fault_plan(given["SIM_FAULTS"]),
        seed=str(given["SIM_SEED"]) or None,
        provider_data_dir=_provider_data_dir(given["SIM_PROVIDER_DATA_DIR"]),
    )


def _lookup(name: str, config: Mapping[str, object]) -> object:
    value = config.get(name)
    if value is None or value == "":
        value = os.environ.get(name, "")
    return value if value != "" else DEFAULTS[name]


def _movie_list_size(value: object) -> int:
    try:
        size = int(str(value))
    except ValueError:
        raise ConfigError(f"SIM_MOVIELIST_SIZE must be an integer, not {value!r}") from None
    if size < 0:
        raise ConfigError(f"SIM_MOVIELIST_SIZE must not be negative, not {size}")
    return size


def _provider_data_dir(value: object) -> Path | None:
    """A folder with other providers' records (cinemaworld.json, filmworld.json), or None."""
    if not value:
        return None
    folder = Path(str(value))
    missing = [name for name in PROVIDER_FILES if not (folder / name).is_file()]
    if missing:
        raise ConfigError(f"SIM_PROVIDER_DATA_DIR {folder} lacks {', '.join(missing)}")
    return folder


def _fault_plan(value: object) -> dict[str, FaultSettings]:
    try:
        raw = json.loads(value) if isinstance(value, str) else value
        return parse_fault_plan(raw)
    except json.JSONDecodeError as error:
        raise ConfigError(f"SIM_FAULTS is not valid JSON: {error}") from None
    except InvalidFaults as error:
        raise ConfigError(f"SIM_FAULTS: {error}") from None
