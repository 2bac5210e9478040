"""Fault injection: per-target errors, latency and hangs, and the /_faults endpoints."""

import random
import threading
from dataclasses import asdict, dataclass, fields

from flask import Blueprint, abort, current_app, request

TARGETS = ("cinemaworld", "filmworld", "movielist")
SIMULATED_ERRORS = (500, 502, 503)
HANG_LIMIT_S = 60.0
MAX_LATENCY_MS = 60_000


class InvalidFaults(ValueError):
    """Fault settings that cannot be applied."""


@dataclass(frozen=True)
class FaultSettings:
    """How one target misbehaves; the defaults mean it behaves."""

    error_rate: float = 0.0
    latency_ms: int = 0
    hang: bool = False


def parse_settings(raw: object) -> FaultSettings:
    """Check one target's settings as sent in JSON; missing fields take their defaults."""
    if not isinstance(raw, dict):
        raise InvalidFaults("fault settings must be a JSON object")
    unknown = set(raw) - {field.name for field in fields(FaultSettings)}
    if unknown:
        raise InvalidFaults(f"unknown fault settings: {', '.join(sorted(unknown))}")
    return FaultSettings(
        error_rate=_error_rate(raw.get("error_rate", 0.0)),
        latency_ms=_latency_ms(raw.get("latency_ms", 0)),
        hang=_hang(raw.get("hang", False)),
    )


def parse_fault_plan(raw: object) -> dict[str, FaultSettings]:
    """Check settings for several targets, a JSON object keyed by target."""
    if not isinstance(raw, dict):
        raise InvalidFaults("faults must be a JSON object keyed by target")
    unknown = set(raw) - set(TARGETS)
    if unknown:
        raise InvalidFaults(f"unknown fault targets: {', '.join(sorted(unknown))}")
    return {target: parse_settings(settings) for target, settings in raw.items()}


def _error_rate(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InvalidFaults("error_rate must be a number from 0 to 1")
    return float(value)


def _latency_ms(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LATENCY_MS:
        raise InvalidFaults(f"latency_ms must be an integer from 0 to {MAX_LATENCY_MS}")
    return value


def _hang(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidFaults("hang must be true or false")
    return value


class FaultBoard:
    """The fault settings of every target, shared by the server's threads."""

    def __init__(self, *, seed: str | None, initial: dict[str, FaultSettings]) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._settings = dict.fromkeys(TARGETS, FaultSettings())
        self._released = {target: threading.Event() for target in TARGETS}
        self._dice = {target: self._new_dice(target) for target in TARGETS}
        for target, settings in initial.items():
            self.set(target, settings)

    def describe(self) -> dict[str, dict[str, object]]:
        """Every target's current settings."""
        with self._lock:
            return {target: asdict(settings) for target, settings in self._settings.items()}

    def set(self, target: str, settings: FaultSettings) -> None:
        """Replace a target's settings; its held requests go on and its dice start afresh."""
        with self._lock:
            self._settings[target] = settings
            self._restart(target)

    def reset(self) -> None:
        """Make every target behave again and let every held request go on."""
        with self._lock:
            for target in TARGETS:
                self._settings[target] = FaultSettings()
                self._restart(target)

    def disrupt(self, target: str) -> int | None:
        """Delay or hold a request to the target; the error status it must answer, if any."""
        with self._lock:
            settings = self._settings[target]
            released = self._released[target]
        delay_s = HANG_LIMIT_S if settings.hang else settings.latency_ms / 1000
        if delay_s:
            released.wait(delay_s)  # cut short when the target's settings change
        return self._roll_error(target)

    def _roll_error(self, target: str) -> int | None:
        with self._lock:
            error_rate = self._settings[target].error_rate
            dice = self._dice[target]
            # Only requests under an error rate roll, so a seeded run repeats exactly.
            if error_rate and dice.random() < error_rate:
                return dice.choice(SIMULATED_ERRORS)
        return None

    def _restart(self, target: str) -> None:
        self._released[target].set()
        self._released[target] = threading.Event()
        self._dice[target] = self._new_dice(target)

    def _new_dice(self, target: str) -> random.Random:
        # Simulated failures, not security: a seedable generator is the point.
        if self._seed is None:
            return random.Random()  # noqa: S311
        return random.Random(f"{self._seed}:{target}")  # noqa: S311


def fault_board() -> FaultBoard:
    """The running app's fault board."""
    return current_app.extensions["simulator.faults"]


def disrupt(target: str) -> None:
    """Apply the target's faults to the current request: wait, hold, or fail it."""
    status = fault_board().disrupt(target)
    if status is not None:
        abort(status, f"Simulated {target} failure.")


bp = Blueprint("faults", __name__, url_prefix="/_faults")


@bp.get("/")
def list_faults() -> dict[str, dict[str, object]]:
    """Show every target's fault settings."""
    return fault_board().describe()


@bp.delete("/")
def reset_faults() -> tuple[str, int]:
    """Clear every fault and release held requests."""
    fault_board().reset()
    return "", 204


@bp.get("/<target>")
def show_faults(target: str) -> dict[str, object]:
    """Show one target's fault settings."""
    _check_target(target)
    return fault_board().describe()[target]


@bp.put("/<target>")
def set_faults(target: str) -> dict[str, object]:
    """Replace one target's fault settings."""
    _check_target(target)
    raw = request.get_json(force=True, silent=True)
    if raw is None:
        abort(400, "The body must be JSON.")
    try:
        settings = parse_settings(raw)
    except InvalidFaults as error:
        abort(422, str(error))
    fault_board().set(target, settings)
    return asdict(settings)


def _check_target(target: str) -> None:
    if target not in TARGETS:
        abort(404, f"Unknown fault target {target}.")
