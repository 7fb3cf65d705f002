"""The dashboard at ``/_host/``: one page (HTML, CSS and JavaScript shipped inside the host, no
CDN, so it works offline) that shows every function of the template live.

The page polls two documents: ``/_host/functions`` (the meters, the same numbers the JSON
shows) and ``/_host/recent`` (what happened since its last poll: one point per invocation for
the latency and requests charts, and the last platform lines — START, END, REPORT,
INIT_START, INIT_REPORT). :class:`Timeline` keeps those in bounded rings, fed by the metering
(every invocation record) and the log sink (every line), so an open page costs the warm path
one append per invocation and nothing else. The page knows functions, never what they do.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from importlib import resources
from typing import Any

from devhost.http.messages import HttpResponse
from devhost.metering import InvocationRecord

__all__ = ["ASSETS", "PLATFORM_PREFIXES", "Dashboard", "Timeline"]

# Lambda's own lines, as opposed to what the function prints.
PLATFORM_PREFIXES = ("START ", "END ", "REPORT ", "INIT_START ", "INIT_REPORT ")

# path under /_host/ -> (file in dashboard_assets, content type)
ASSETS = {
    "": ("index.html", "text/html; charset=utf-8"),
    "dashboard.css": ("dashboard.css", "text/css; charset=utf-8"),
    "dashboard.js": ("dashboard.js", "text/javascript; charset=utf-8"),
}

# The page runs only its own script and talks only to its own origin; nobody may frame it
# (its reset button must not be clickjacked).
_PAGE_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-cache"),
]


@dataclass(frozen=True, slots=True)
class _Point:
    seq: int
    ts: float
    function: str
    latency_ms: float  # warm: Duration; cold: Init Duration + Duration
    cold: bool
    outcome: str
    http_status: int

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "t": round(self.ts, 3),
            "fn": self.function,
            "ms": round(self.latency_ms, 3),
            "cold": self.cold,
            "outcome": self.outcome,
            "status": self.http_status,
        }


@dataclass(frozen=True, slots=True)
class _Line:
    seq: int
    ts: float
    function: str
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "t": round(self.ts, 3), "fn": self.function, "text": self.text}


class Timeline:
    """The last ``max_points`` invocations and ``max_lines`` platform lines, each numbered,
    so that a poller asks only for what is newer than what it has."""

    def __init__(self, max_points: int = 20_000, max_lines: int = 200) -> None:
        self._lock = threading.Lock()
        self._points: deque[_Point] = deque(maxlen=max_points)
        self._lines: deque[_Line] = deque(maxlen=max_lines)
        self._point_seq = 0
        self._line_seq = 0

    def record(self, rec: InvocationRecord) -> None:
        """A metering observer: one point per invocation (throttles and capacity
        rejections included, so the requests chart counts what clients sent)."""
        init = (rec.init_duration_ms or 0.0) if rec.cold_start else 0.0
        latency = rec.duration_ms + init
        with self._lock:
            self._point_seq += 1
            self._points.append(
                _Point(
                    self._point_seq,
                    rec.ts_epoch_ms / 1000.0,
                    rec.function,
                    latency,
                    rec.cold_start,
                    rec.outcome,
                    rec.http_status,
                )
            )

    def line(self, tag: str, text: str) -> None:
        """A log-sink tap: keeps Lambda's platform lines, drops the functions' output."""
        if not text.startswith(PLATFORM_PREFIXES):
            return
        with self._lock:
            self._line_seq += 1
            self._lines.append(_Line(self._line_seq, time.time(), tag, text))

    def since(self, points_after: int, lines_after: int, limit: int = 5000) -> dict[str, Any]:
        """What is newer than the given sequence numbers (at most ``limit`` points, the
        newest); ``next`` is what to ask with next time."""
        with self._lock:
            points = [p for p in _newer(self._points, points_after)][-limit:]
            lines = list(_newer(self._lines, lines_after))
            next_seq = {"points": self._point_seq, "lines": self._line_seq}
        return {
            "now": round(time.time(), 3),
            "points": [p.as_json() for p in points],
            "lines": [line.as_json() for line in lines],
            "next": next_seq,
        }


def _newer[T: (_Point, _Line)](ring: deque[T], after: int) -> list[T]:
    # Sequence numbers grow along the ring: walk back from the newest end only.
    newer: list[T] = []
    for item in reversed(ring):
        if item.seq <= after:
            break
        newer.append(item)
    newer.reverse()
    return newer


class Dashboard:
    """Serves the page's files and ``/_host/recent``."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self._files: dict[str, bytes] = {}

    def asset(self, name: str) -> HttpResponse | None:
        """The page (``name`` empty) or one of its files; None for another name."""
        entry = ASSETS.get(name)
        if entry is None:
            return None
        filename, content_type = entry
        body = self._files.get(filename)
        if body is None:
            body = (resources.files("devhost.gateway") / "dashboard_assets" / filename).read_bytes()
            self._files[filename] = body
        return HttpResponse(200, [("Content-Type", content_type), *_PAGE_HEADERS], body)

    def recent(self, query: dict[str, str]) -> dict[str, Any]:
        return self.timeline.since(_count(query.get("points")), _count(query.get("lines")))


def _count(raw: str | None) -> int:
    """A sequence number from the query; anything else (absent, negative, not a number)
    asks for everything kept."""
    if raw is None or not raw.isdigit() or len(raw) > 18:
        return 0
    return int(raw)
