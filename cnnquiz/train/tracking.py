"""MLflow beside the run folders: optional, and never the reason a run fails.

``Tracking`` is on when a URI is given (``--mlflow URI``) or ``MLFLOW_TRACKING_URI`` is set,
and off otherwise (mlflow would else write ``mlruns/`` wherever the student stands). It talks
to MLflow through ``MlflowClient`` with that URI, never through mlflow's global state::

    tracking = Tracking.from_env(args.mlflow)      # off when neither is set
    tracking.check()                               # optional: connect now, warn before training
    with tracking.run("sweep-lr", params={...}) as parent:       # a sweep: the parent run
        execute(plan, root, tracking=tracking)     # each trial: a run nested under it
        parent.log_metrics({"best_val_accuracy": 0.97})

A run opened while another is open is nested under it (MLflow's ``mlflow.parentRunId`` tag,
which its UI shows as a tree). ``log_training`` logs one finished training run: its params,
one metric point per epoch (``step`` = epoch), the summary's numbers, and the run folder as
artifacts (config.yaml, the gin files, metrics, weights); with a ``sqlite:`` store they go to
``mlruns/`` beside the database file, wherever the run starts.

Any failure of the backend (mlflow or its database extras missing, MLflow 3 refusing a plain
folder, a server that does not answer) is one ``cnnquiz: warning: MLflow: ...`` line naming the
cause and the fix, given once; tracking then turns itself off and the run goes on, its folder
kept. An unreachable server costs seconds, not minutes: unless set already,
``MLFLOW_HTTP_REQUEST_MAX_RETRIES`` is 1, ``..._BACKOFF_FACTOR`` 1 and ``..._TIMEOUT`` 10 s.
mlflow is imported inside the methods, only when a URI is set.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FIX = "sqlite:///mlflow.db"
EXPERIMENT = "cnnquiz"  # the experiment runs go to, unless MLFLOW_EXPERIMENT_NAME says another
# mlflow's defaults retry a dead server for minutes (7 retries, doubling from 2 s, 120 s each)
HTTP_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "10",
}


def _stderr(message: str) -> None:
    print(f"cnnquiz: warning: {message}", file=sys.stderr)


def explain(exc: BaseException, uri: str) -> str:
    """One line: what went wrong with MLflow at ``uri``, and what to do about it."""
    text = " ".join(str(exc).split())
    missing = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
    database = uri.split(":", 1)[0] in ("sqlite", "postgresql", "mysql", "mssql")
    if missing and missing.split(".")[0] == "mlflow":
        cause, fix = "mlflow is not installed", "pip install 'cnnquiz[mlflow]'"
    elif database and (missing or "unsupported URI" in text):
        what = f"no {missing}" if missing else "mlflow-skinny?"
        cause = f"this mlflow cannot open a database store ({what})"
        fix = "pip install mlflow (the full package, not mlflow-skinny)"
    elif "filesystem tracking backend" in text or "FileStore" in text:
        cause = f"MLflow 3 refuses a plain folder ({uri}) as its store"
        fix = f"use --mlflow {FIX} (or MLFLOW_TRACKING_URI={FIX})"
    elif "Max retries exceeded" in text or "Failed to establish" in text or "timed out" in text:
        cause = f"cannot reach the MLflow server at {uri}"
        fix = f"start it (mlflow server), or use a local file: --mlflow {FIX}"
    else:
        first = f"{type(exc).__name__}: {text}"
        cause = first if len(first) <= 200 else first[:197] + "..."
        fix = f"check the URI {uri!r}; a local store that works: --mlflow {FIX}"
    return f"MLflow: {cause}; {fix}. Not logged; the run folder is kept."


def artifact_location(uri: str) -> str | None:
    """Where a new experiment keeps its files: for a ``sqlite:`` store, ``mlruns/`` beside the
    database file (mlflow's default is ``./mlruns`` in whatever folder the run starts from);
    None (mlflow's choice) for other stores."""
    prefix = "sqlite:///"
    if not uri.startswith(prefix) or uri[len(prefix) :] in ("", ":memory:"):
        return None
    return (Path(uri[len(prefix) :]).expanduser().resolve().parent / "mlruns").as_uri()


class TrackedRun:
    """One open MLflow run (``run_id``), or nothing (``run_id`` None): callers never branch."""

    def __init__(self, tracking: Tracking, run_id: str | None) -> None:
        self._tracking = tracking
        self.run_id = run_id

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Values as text (MLflow keeps params as strings); None values are left out."""
        items = {k: str(v) for k, v in params.items() if v is not None}
        self._call(
            lambda c, m: c.log_batch(self.run_id, params=[m.Param(k, v) for k, v in items.items()])
        )

    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        """Numbers only (bools and None are left out); ``step``: the epoch, or None."""
        import time

        now = int(time.time() * 1000)
        numbers = {
            k: float(v)
            for k, v in metrics.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
        self._call(
            lambda c, m: c.log_batch(
                self.run_id, metrics=[m.Metric(k, v, now, step or 0) for k, v in numbers.items()]
            )
        )

    def log_epochs(self, epochs: list[dict[str, Any]]) -> None:
        """One point per epoch of each metric, at ``step`` = the epoch number."""
        for row in epochs:
            self.log_metrics({k: v for k, v in row.items() if k != "epoch"}, step=row["epoch"])

    def log_artifacts(self, folder: Path) -> None:
        self._call(lambda c, m: c.log_artifacts(self.run_id, str(folder)))

    def set_tags(self, tags: Mapping[str, str]) -> None:
        self._call(lambda c, m: [c.set_tag(self.run_id, k, v) for k, v in tags.items()])

    def _call(self, action: Callable[[Any, Any], Any]) -> None:
        if self.run_id is not None:
            self._tracking.call(action)


class Tracking:
    """Where runs are logged (``uri``), whether that still works, and the runs open now."""

    def __init__(
        self,
        uri: str | None,
        experiment: str | None = None,
        warn: Callable[[str], None] = _stderr,
    ) -> None:
        self.uri = uri or None
        self.experiment = experiment or os.environ.get("MLFLOW_EXPERIMENT_NAME") or EXPERIMENT
        self.warning: str | None = None  # the one warning given, once something failed
        self._warn = warn
        self._client: Any = None
        self._experiment_id: str | None = None
        self._open: list[str] = []  # run ids, innermost last: a new run nests under the last

    @classmethod
    def from_env(cls, uri: str | None = None, warn: Callable[[str], None] = _stderr) -> Tracking:
        """``uri`` (``--mlflow``), else ``MLFLOW_TRACKING_URI``; off when neither is set."""
        return cls(uri or os.environ.get("MLFLOW_TRACKING_URI"), warn=warn)

    @property
    def active(self) -> bool:
        return self.uri is not None and self.warning is None

    def check(self) -> bool:
        """Connect now (the experiment found or created): whether tracking is on after it."""
        if self.active:
            self.call(lambda c, m: None)
        return self.active

    def call(self, action: Callable[[Any, Any], Any]) -> Any:
        """``action(client, mlflow.entities)`` when on; a failure turns tracking off with one
        warning and returns None."""
        if not self.active:
            return None
        try:
            with _quiet():
                client, entities = self._connect()
                return action(client, entities)
        except Exception as exc:  # any backend failure is a warning, never fatal
            self.fail(exc)
            return None

    def fail(self, exc: BaseException) -> None:
        """Turn tracking off and say why, once."""
        if self.warning is None:
            self.warning = explain(exc, self.uri or "")
            self._warn(self.warning)

    def _connect(self) -> tuple[Any, Any]:
        if self._client is None:
            for name, value in HTTP_DEFAULTS.items():
                os.environ.setdefault(name, value)
            from mlflow import MlflowClient, entities  # type: ignore[import-not-found,unused-ignore]

            client = MlflowClient(tracking_uri=self.uri)
            found = client.get_experiment_by_name(self.experiment)
            self._experiment_id = (
                found.experiment_id
                if found
                else client.create_experiment(self.experiment, artifact_location(self.uri or ""))
            )
            self._client = (client, entities)
        return self._client

    @contextmanager
    def run(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Iterator[TrackedRun]:
        """An MLflow run for the ``with`` block, nested under the run open around it, if any.

        Ends FINISHED, FAILED when the block raises, KILLED on Ctrl+C. When tracking is off
        (or turns off), the block still runs, with a ``TrackedRun`` that logs nothing.
        """
        all_tags = dict(tags or {}) | ({"mlflow.parentRunId": self._open[-1]} if self._open else {})
        made = self.call(
            lambda c, m: c.create_run(self._experiment_id, run_name=name, tags=all_tags)
        )
        tracked = TrackedRun(self, made.info.run_id if made is not None else None)
        if tracked.run_id is None:
            yield tracked
            return
        self._open.append(tracked.run_id)
        status = "FINISHED"
        try:
            if params:
                tracked.log_params(params)
            yield tracked
        except KeyboardInterrupt:
            status = "KILLED"
            raise
        except BaseException:
            status = "FAILED"
            raise
        finally:
            self._open.remove(tracked.run_id)
            self.call(lambda c, m: c.set_terminated(tracked.run_id, status))

    def log_training(
        self,
        name: str,
        run_dir: Path,
        params: Mapping[str, Any],
        epochs: list[dict[str, Any]],
        summary: Mapping[str, Any],
    ) -> bool:
        """One finished training run: params, metrics per epoch, the summary's other numbers
        (test accuracy, parameter count...) at the last epoch's step, the run folder as
        artifacts. Whether it was logged (False: off, or it failed and warned)."""
        if not self.active:
            return False
        tags = {"cnnquiz.run_dir": str(run_dir.resolve())}
        with self.run(name, params, tags) as tracked:
            tracked.log_epochs(epochs)
            per_epoch = {k for row in epochs for k in row}
            last = epochs[-1]["epoch"] if epochs else None
            tracked.log_metrics({k: v for k, v in summary.items() if k not in per_epoch}, last)
            tracked.log_artifacts(run_dir)
        return self.active


@contextmanager
def _quiet() -> Iterator[None]:
    """mlflow's and alembic's INFO lines ("Creating initial MLflow database tables...") and
    Python warnings hidden while mlflow works (mlflow sets its logger's level on import, so
    ``logging.disable`` rather than a level)."""
    before = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(before)
