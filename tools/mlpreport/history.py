"""history.py: groups runs by machine, orders each machine's runs by commit and judges
each run against the one before it with `mlpbench compare`, whose verdicts are the
project's notion of a significant change.

Order: when the report runs inside a git repository that knows every commit of a
machine's runs, by `git rev-list --topo-order --all` (oldest first; runs of one commit
by date); otherwise by the files' dates, and the page says why."""

import json
import os
import subprocess
from dataclasses import dataclass, field

from .load import ReportError


@dataclass
class Step:
    """The judgement of run b against the run a before it."""
    a: object
    b: object
    verdicts: dict = field(default_factory=dict)  # "epoch/<case>" -> compare's row
    refused: str | None = None                     # compare's reason: a break


@dataclass
class Machine:
    key: tuple
    label: str
    short: str
    runs: list                  # in history order
    order_note: str
    steps: list = field(default_factory=list)

    @property
    def latest(self):
        return self.runs[-1]


def commit_positions(repo):
    """{commit: position} from git rev-list --topo-order --all (0 = newest), or None with
    why when repo is not a git repository (or git is missing)."""
    try:
        out = subprocess.run(["git", "-C", repo, "rev-list", "--topo-order", "--all"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"git unavailable ({e.__class__.__name__})"
    if out.returncode != 0:
        return None, f"{os.path.abspath(repo)} is not a git repository"
    shas = out.stdout.split()
    return {sha: i for i, sha in enumerate(shas)}, None


def group(runs, positions, why_no_git):
    """Machines (sorted by label), each with its runs in history order."""
    by_key = {}
    for run in runs:
        by_key.setdefault(run.machine_key, []).append(run)
    machines = []
    for key, rs in by_key.items():
        unknown = sorted({r.commit_label for r in rs if not positions or r.commit not in positions})
        if positions is not None and not unknown:
            rs.sort(key=lambda r: (-positions[r.commit], r.date, r.path))
            note = "commit order (git rev-list --topo-order), runs of one commit by date"
        else:
            rs.sort(key=lambda r: (r.date, r.path))
            why = why_no_git or ("commits not in this repository: " + ", ".join(unknown))
            note = f"by date ({why})"
        machines.append(Machine(key=key, label=rs[0].machine_label, short=rs[0].machine_short,
                                runs=rs, order_note=note))
    machines.sort(key=lambda m: m.label)
    return machines


def find_mlpbench(path):
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise ReportError(f"mlpbench not found at {path} (the history needs `mlpbench "
                          "compare`: build it with tools/build, or give --mlpbench PATH)")
    return path


def compare(mlpbench, a, b, threshold=None):
    """A Step: compare's rows by benchmark name, or the reason it refused the pair."""
    cmd = [mlpbench, "compare", "--format", "json", "--fail-on", "never"]
    if threshold is not None:
        cmd += ["--threshold", str(threshold)]
    try:
        out = subprocess.run(cmd + [a.path, b.path], capture_output=True, text=True,
                             timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ReportError(f"{mlpbench}: cannot run compare: {e}") from None
    step = Step(a=a, b=b)
    if out.returncode == 1:  # refused: different workloads, machines or builds
        lines = out.stderr.strip().splitlines() or ["no reason given"]
        step.refused = lines[-1].removeprefix("mlpbench compare: error: ")
        return step
    if out.returncode != 0:
        raise ReportError(f"mlpbench compare {a.path} {b.path}: exit status {out.returncode}: "
                          + (out.stderr.strip().splitlines() or [""])[-1])
    try:
        doc = json.loads(out.stdout)
        step.verdicts = {row["name"]: row for row in doc["benchmarks"]}
    except (ValueError, KeyError, TypeError) as e:
        raise ReportError(f"mlpbench compare {a.path} {b.path}: unreadable JSON ({e})") from None
    return step


def judge(machines, mlpbench, threshold=None):
    for m in machines:
        m.steps = [compare(mlpbench, a, b, threshold) for a, b in zip(m.runs, m.runs[1:])]
