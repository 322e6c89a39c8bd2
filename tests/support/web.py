"""The sample app as a git repository, and a steady HTTP load that counts failures.

The load sends requests to one loopback URL from a thread, one at a time with a short pause,
bounded in count and time, and records when each failed, so a test can ask how many failed
after a given moment.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SAMPLE_APP = Path(__file__).resolve().parents[2] / "examples" / "sample_app"
GIT_IDENTITY = ["-c", "user.name=Stackworks tests", "-c", "user.email=tests@stackworks.invalid"]


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *GIT_IDENTITY, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout.strip()


def sample_repository(where: Path) -> Path:
    """A copy of examples/sample_app committed on branch main."""
    shutil.copytree(SAMPLE_APP, where, ignore=shutil.ignore_patterns("__pycache__"))
    git(where, "init", "-q", "-b", "main")
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", "sample app")
    return where


def commit_greeting(repo: Path, greeting: str) -> str:
    """A new commit whose page says `<greeting> from <hostname>`; returns its sha."""
    wsgi = repo / "wsgi.py"
    text = wsgi.read_text()
    start = text.index('f"<h1>') + len('f"<h1>')
    end = text.index(" from {hostname}", start)
    wsgi.write_text(text[:start] + greeting + text[end:])
    git(repo, "commit", "-q", "-am", f"greet with {greeting}")
    return git(repo, "rev-parse", "HEAD")


def get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    try:
        answer = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as error:
        return 0, f"{type(error).__name__}: {error}"
    return answer.status_code, answer.text


@dataclass
class Load:
    """Steady requests to `url` until stopped (at most `limit` requests or `seconds`)."""

    url: str
    pause: float = 0.02
    limit: int = 20_000
    seconds: float = 600.0
    #: sent with every request (e.g. an Authorization header, so a cache in front passes)
    headers: dict[str, str] = field(default_factory=dict)
    #: seconds one request may take before it counts as failed (ReadTimeout)
    timeout: float = 5.0
    results: list[tuple[float, int, str]] = field(default_factory=list)
    #: how long each request of `results` took, in the same order
    durations: list[float] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Load:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        deadline = time.monotonic() + self.seconds
        with httpx.Client(timeout=self.timeout) as client:
            while not self._stop.is_set() and len(self.results) < self.limit:
                if time.monotonic() > deadline:
                    return
                started = time.monotonic()
                try:
                    answer = client.get(self.url, headers={**self.headers, "Connection": "close"})
                    self.results.append((time.time(), answer.status_code, answer.text[:200]))
                except httpx.HTTPError as error:
                    self.results.append((time.time(), 0, f"{type(error).__name__}: {error}"))
                self.durations.append(time.monotonic() - started)
                time.sleep(self.pause)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def failures(self, after: float = 0.0) -> list[tuple[float, int, str]]:
        return [r for r in self.results if r[0] >= after and r[1] != 200]
