"""Every secret written in the repository's example files is one production refuses to start
with: an operator who copies an example gets an error, never a service signing with it."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from config import ConfigError, check_production
from tests.support.production import production_settings

ROOT = Path(__file__).resolve().parents[2]
SECRET_NAME = re.compile(r"(SECRET|_KEY|_TOKEN|_PASSWORD)$")
# ${NAME:?message} is the operator's own value (compose refuses to start without it);
# ${NAME:-default} falls back to a value written in the file.
REQUIRED_FROM_OPERATOR = re.compile(r"\$\{[A-Z0-9_]+:\?[^}]*\}")
DEFAULTED = re.compile(r"\$\{[A-Z0-9_]+:-([^}]*)\}")


def _env_example() -> dict[str, str]:
    text = (ROOT / ".env.example").read_text()
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, re.M))


def _k8s_secret() -> dict[str, str]:
    document = yaml.safe_load((ROOT / "deploy/k8s/secret.example.yaml").read_text())
    return {**(document.get("data") or {}), **(document.get("stringData") or {})}


def _compose() -> list[tuple[str, str]]:
    compose = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text())
    environments = [compose["x-app"]["environment"]]
    environments += [service.get("environment") or {} for service in compose["services"].values()]
    found = []
    for environment in environments:
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        for name, value in environment.items():
            if name == "<<" or REQUIRED_FROM_OPERATOR.search(str(value)):
                continue
            found.append((name, DEFAULTED.sub(r"\1", str(value))))
    return found


def _is_secret(name: str, value: str) -> bool:
    return bool(SECRET_NAME.search(name)) or "://" in value and urlsplit(value).password is not None


def _secrets(pairs) -> list[tuple[str, str]]:
    # A set: compose repeats the shared x-app environment in every service that merges it.
    return sorted({(name, value) for name, value in pairs if value and _is_secret(name, value)})


EXAMPLES = {
    ".env.example": _secrets(_env_example().items()),
    "deploy/k8s/secret.example.yaml": _secrets(_k8s_secret().items()),
    "deploy/compose.yaml": _secrets(_compose()),
}
CASES = [(path, name, value) for path, pairs in EXAMPLES.items() for name, value in pairs]


@pytest.mark.parametrize(("path", "name", "value"), CASES, ids=[f"{p}:{n}" for p, n, _ in CASES])
def test_production_refuses_every_secret_in_the_example_files(path, name, value):
    with pytest.raises(ConfigError, match=name):
        check_production(production_settings(**{name: value}))


def test_the_example_secret_holds_every_secret_the_service_reads():
    names = {name for name, _ in EXAMPLES["deploy/k8s/secret.example.yaml"]}
    expected = {"SECRET_KEY", "JWT_SECRET_KEY", "METRICS_TOKEN", "DATABASE_URL"}
    assert expected | {"PROVIDER_API_TOKEN", "MOVIE_LIST_PASSWORD"} <= names


def test_the_example_signing_keys_are_refused_even_when_both_are_copied():
    secret = _k8s_secret()
    keys = {name: secret[name] for name in ("SECRET_KEY", "JWT_SECRET_KEY", "METRICS_TOKEN")}
    with pytest.raises(ConfigError):
        check_production(production_settings(**keys))


def test_compose_takes_every_secret_from_the_operator():
    # Nothing in compose falls back to a written-down secret (the simulator's dev login was one).
    assert EXAMPLES["deploy/compose.yaml"] == []
