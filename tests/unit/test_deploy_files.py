"""The deployment files pass their offline schema checks and name only known settings."""

import configparser
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DOCUMENTED = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_kubernetes_manifests_pass_strict_schema_validation():
    manifests = sorted(str(path) for path in (ROOT / "deploy/k8s").glob("*.yaml"))
    result = _run(str(BIN / "kubernetes-validate"), "--strict", "--quiet", *manifests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_passes_the_compose_spec():
    result = _run(
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.compose-spec",
        str(ROOT / "deploy/compose.yaml"),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_configmap_and_secret_name_only_documented_settings():
    names: set[str] = set()
    for path in ("deploy/k8s/configmap.yaml", "deploy/k8s/secret.example.yaml"):
        document = yaml.safe_load((ROOT / path).read_text())
        names |= set(document.get("data") or {}) | set(document.get("stringData") or {})
    assert names - DOCUMENTED == set()


def test_compose_app_environment_names_only_documented_settings():
    compose = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text())
    names = set(compose["x-app"]["environment"]) | set(compose["services"]["web"]["environment"])
    assert names - DOCUMENTED == set()


def test_systemd_units_start_the_documented_entry_points():
    commands = {}
    for unit in sorted((ROOT / "deploy/systemd").glob("*.service")):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(unit)
        assert parser["Service"]["Restart"] in {"on-failure", "always"}
        commands[unit.name] = parser["Service"]["ExecStart"]
    assert "gunicorn -c gunicorn.conf.py wsgi:app" in commands["movie-service-web.service"]
    assert "flask --app wsgi worker" in commands["movie-service-worker.service"]
