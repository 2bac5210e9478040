def test_metrics_count_requests_by_route_and_status(client, user_headers):
    client.get("/catalog/movies/", headers=user_headers)
    client.get("/catalog/movies/00000000-0000-0000-0000-000000000000/", headers=user_headers)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'route="/catalog/movies/",status="200"' in text
    assert 'route="/catalog/movies/<uuid:movie_id>/",status="404"' in text
    assert "http_request_duration_seconds_bucket" in text


def test_metrics_need_no_token_and_are_not_in_the_api_spec(client):
    assert client.get("/metrics").status_code == 200
    assert "/metrics" not in client.get("/openapi.json").json["paths"]
