"""`python -m bench` (make bench): for now, the request counter's benchmark."""

from bench.counter import main

if __name__ == "__main__":
    raise SystemExit(main())
