from tests.conftest import PASSWORD


def test_seed_loads_demo_movies_once(app, client, admin_headers):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    second = runner.invoke(args=["seed"])
    assert "seeded 7 movie(s)" in first.output
    assert "seeded 0 movie(s)" in second.output
    listed = client.get("/catalog/movies/?q=star%20wars", headers=admin_headers).json
    assert listed["count"] == 7


def test_create_admin_promotes_an_existing_user(app, client, register):
    register("carol")
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "carol", "--password", "a-new-password"]
    )
    assert result.exit_code == 0
    login = client.post("/login/", json={"username": "carol", "password": "a-new-password"})
    me = client.get("/me/", headers={"Authorization": f"Bearer {login.json['access_token']}"})
    assert me.json["role"] == "admin"


def test_create_admin_reads_the_environment(app, client):
    runner = app.test_cli_runner()
    env = {"ADMIN_USERNAME": "envadmin", "ADMIN_PASSWORD": PASSWORD}
    assert runner.invoke(args=["create-admin"], env=env).exit_code == 0
    login = client.post("/login/", json={"username": "envadmin", "password": PASSWORD})
    assert login.status_code == 200


def test_create_admin_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "dave", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "password" in result.output
