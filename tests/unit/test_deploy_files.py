"""The deployment files pass their offline schema checks and name only known settings."""

import configparser
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from config import ConfigError, check_production
from tests.support.production import production_settings

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


def _configmap() -> dict[str, str]:
    return yaml.safe_load((ROOT / "deploy/k8s/configmap.yaml").read_text())["data"]


def test_the_configmap_trusts_no_proxy_until_the_operator_names_the_ingress():
    data = _configmap()
    assert data["FORWARDED_ALLOW_IPS"] == data["TRUSTED_PROXIES"]
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        production_settings(**data)


def test_the_configmap_runs_in_production_once_the_ingress_is_named():
    check_production(production_settings(**{**_configmap(), "TRUSTED_PROXIES": "10.244.3.0/24"}))


def test_the_scrape_job_sends_the_metrics_token_to_each_web_pod():
    document = yaml.safe_load((ROOT / "deploy/k8s/prometheus-scrape.example.yaml").read_text())
    (job,) = yaml.safe_load(document["data"]["movie-service.yml"])["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["authorization"]["type"] == "Bearer"
    assert job["authorization"]["credentials_file"].endswith("/METRICS_TOKEN")
    kept = {rule["source_labels"][0]: rule["regex"] for rule in job["relabel_configs"]}
    assert kept["__meta_kubernetes_pod_label_app_kubernetes_io_component"] == "web"
    assert kept["__meta_kubernetes_pod_container_port_name"] == "http"


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


def _web_probes() -> list[dict]:
    documents = yaml.safe_load_all((ROOT / "deploy/k8s/web.yaml").read_text())
    deployment = next(document for document in documents if document["kind"] == "Deployment")
    containers = deployment["spec"]["template"]["spec"]["containers"]
    return [
        container[probe]
        for container in containers
        for probe in ("readinessProbe", "livenessProbe")
    ]


def test_the_probes_ask_for_a_host_the_service_answers_for():
    allowed = _configmap()["ALLOWED_HOSTS"].split(",")
    for probe in _web_probes():
        headers = {item["name"]: item["value"] for item in probe["httpGet"]["httpHeaders"]}
        assert headers["Host"] in allowed


def test_compose_requires_the_allowed_hosts():
    compose = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text())
    assert compose["x-app"]["environment"]["ALLOWED_HOSTS"].startswith("${ALLOWED_HOSTS:?")


def test_the_simulator_takes_only_the_secret_keys_it_reads():
    documents = yaml.safe_load_all((ROOT / "deploy/k8s/simulator.yaml").read_text())
    deployment = next(d for d in documents if d["kind"] == "Deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert "envFrom" not in container
    taken = {item["valueFrom"]["secretKeyRef"]["key"] for item in container["env"]}
    assert taken == {"PROVIDER_API_TOKEN", "MOVIE_LIST_USERNAME", "MOVIE_LIST_PASSWORD"}
