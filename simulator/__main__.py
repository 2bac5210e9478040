"""Run the simulator: python -m simulator [--host 127.0.0.1] [--port 8001]."""

import argparse

from werkzeug.serving import run_simple

from simulator import create_app
from simulator.settings import ConfigError


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Serve the cinemaworld, filmworld and movie list simulators.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port to listen on (8001)")
    args = parser.parse_args(argv)
    try:
        app = create_app()
    except ConfigError as error:
        parser.exit(2, f"simulator: {error}\n")
    # Threaded, so that a held (hanging) request never blocks the others.
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
