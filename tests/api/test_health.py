"""The probes' answers, as an orchestrator reads them."""


def test_healthz_answers_its_json_status(client):
    answer = client.get("/healthz")
    assert (answer.status_code, answer.content_type) == (200, "application/json")
    assert answer.get_data() == b'{"status":"ok"}\n'
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Request-ID"]


def test_healthz_is_documented_with_its_schema(client):
    operation = client.get("/openapi.json").json["paths"]["/healthz"]["get"]
    content = operation["responses"]["200"]["content"]["application/json"]
    assert content["schema"] == {"$ref": "#/components/schemas/Health"}
