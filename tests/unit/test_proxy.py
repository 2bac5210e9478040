from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from src.http import TrustedProxyFix


@Request.application
def echo(request: Request) -> Response:
    return Response(f"{request.scheme} {request.host} {request.remote_addr}")


def _seen_by_app(peer: str) -> str:
    app = TrustedProxyFix(echo, hops=1, trusted=["127.0.0.1", "10.0.0.0/8"])
    headers = {
        "X-Forwarded-For": "198.51.100.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "movies.example.org",
    }
    response = Client(app).get("/", headers=headers, environ_base={"REMOTE_ADDR": peer})
    return response.get_data(as_text=True)


def test_the_trusted_proxy_sets_client_scheme_and_host():
    assert _seen_by_app("127.0.0.1") == "https movies.example.org 198.51.100.7"


def test_an_untrusted_peer_cannot_pose_as_another_client_or_https():
    assert _seen_by_app("203.0.113.9") == "http localhost 203.0.113.9"


def test_a_proxy_inside_a_trusted_network_is_believed():
    assert _seen_by_app("10.20.30.40") == "https movies.example.org 198.51.100.7"
