"""Runs started from the web: the assessment (with scenarios and their comparison),
resilience and plan, each into its own folder of the area, ``web-runs/<id>/``.

One run at a time (a single worker thread: they are CPU-bound and the server is shared), each
writing its files with the same writers as the command line (``outputs.tables.write_runs`` /
``write_tables``, ``outputs.maps.write_run_maps`` / ``write_maps``, ``outputs.report``), then
``run.json``: its state, who started it and when, and the lines the command would print. The
folder name is made here (time, kind, a counter), never from what a user typed, and a
download is looked up among the files a run wrote.
"""

from __future__ import annotations

import json
import re
import threading
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SufficiencyError
from ..returns.store import now_utc

RUNS_FOLDER = "web-runs"
ID_RE = re.compile(r"\d{8}T\d{6}-(assess|resilience|plan)-\d+")
KINDS = ("assess", "resilience", "plan")


@dataclass
class Job:
    """A run: its id, kind, options shown on its page, state and what it printed."""

    run_id: str
    kind: str
    started_by: str
    started_at: str
    options: dict[str, Any]
    state: str = "running"  # running, done, failed
    lines: list[str] = field(default_factory=list)
    error: str = ""
    files: list[str] = field(default_factory=list)
    finished_at: str = ""

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Jobs:
    """The area's web runs, on disk under ``FOLDER/web-runs`` and in memory while running."""

    def __init__(self, folder: Path) -> None:
        self.root = folder / RUNS_FOLDER
        self._lock = threading.Lock()
        self._running: dict[str, Job] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sufficiency-run")
        self._count = 0

    def start(
        self, kind: str, by: str, options: dict[str, Any], work: Callable[[Path], list[str]]
    ) -> Job:
        """Queue ``work(folder) -> lines`` as a run of ``kind``; the job (state ``running``)."""
        if kind not in KINDS:
            raise ValueError(kind)
        with self._lock:
            self._count += 1
            stamp = now_utc()
            run_id = f"{re.sub(r'[^0-9T]', '', stamp[:19])}-{kind}-{self._count}"
            job = Job(run_id, kind, by, stamp, options)
            self._running[run_id] = job
        folder = self.root / run_id
        folder.mkdir(parents=True)
        self._save(job)
        self._pool.submit(self._run, job, folder, work)
        return job

    def _run(self, job: Job, folder: Path, work: Callable[[Path], list[str]]) -> None:
        try:
            job.lines = work(folder)
            job.state = "done"
        except SufficiencyError as exc:
            job.state, job.error = "failed", str(exc)
        except Exception:  # a bug: kept for the server's log, a plain message on the page
            job.state = "failed"
            job.error = "the run stopped on an unexpected error (the server's log has details)"
            traceback.print_exc()
        job.finished_at = now_utc()
        job.files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        job.files = [f for f in job.files if f != "run.json"]
        self._save(job)
        with self._lock:
            self._running.pop(job.run_id, None)

    def _save(self, job: Job) -> None:
        path = self.root / job.run_id / "run.json"
        temporary = path.with_suffix(".json.part")
        temporary.write_text(json.dumps(job.as_json(), indent=1), encoding="utf-8")
        temporary.replace(path)

    def get(self, run_id: str) -> Job | None:
        """The run with this id, if there is one (the id is checked, then looked up)."""
        if not ID_RE.fullmatch(run_id):
            return None
        with self._lock:
            if run_id in self._running:
                return self._running[run_id]
        known = {p.name for p in self.root.iterdir()} if self.root.is_dir() else set()
        if run_id not in known:
            return None
        try:
            data = json.loads((self.root / run_id / "run.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        job = Job(**data)
        if job.state == "running":
            job.state, job.error = "failed", "the server stopped before the run finished"
        return job

    def all(self) -> list[Job]:
        """Every run, newest first."""
        if not self.root.is_dir():
            return []
        found = [self.get(p.name) for p in self.root.iterdir() if ID_RE.fullmatch(p.name)]
        jobs = [j for j in found if j is not None]
        return sorted(jobs, key=lambda j: (j.started_at, j.run_id), reverse=True)

    def file(self, job: Job, name: str) -> Path | None:
        """A file the run wrote, by its name in ``job.files``; ``None`` for any other name."""
        if name not in job.files:
            return None
        return self.root / job.run_id / job.files[job.files.index(name)]

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the queued runs (tests and the benchmark)."""
        self._pool.submit(lambda: None).result(timeout=timeout)

    def latest(self, kind: str, having: Sequence[str] = ()) -> Job | None:
        """The newest finished run of ``kind`` that wrote every file in ``having``."""
        for job in self.all():
            if job.kind == kind and job.state == "done" and set(having) <= set(job.files):
                return job
        return None
