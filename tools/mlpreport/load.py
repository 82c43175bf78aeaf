"""load.py: reads mlpbench result files (results/README.md, schema_version 1 and 2) into
Run objects for the report, validating every field the report uses. A file that cannot
be read honestly raises ReportError with a one-line message naming the file; a Google
Benchmark file (a `benchmarks` list and no `cases`), or a document another tool wrote
(a `tool` field and no `context`: tools/insn-gate's baseline), is not an error but a
Skipped note, so that a whole results/ folder can be read.

Per phase of a case the report shows the median of all samples (what bench's rates and
table use) and, as its interval, the min..max of the repetition medians (the unit that
`mlpbench compare` judges: the spread between repetitions and processes)."""

import json
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timezone

SCHEMAS = (1, 2)
PHASES = (("train_epoch", "epoch"), ("test_pass", "test"))
SET_ORDER = ["scalar", "avx2", "avx512", "neon", "sve", "omp"]


def case_order(name):
    """Cases in a stable order: precision, then set (the reference first), then threads."""
    parts = name.split("/")
    s = parts[0]
    threads = parts[2].split(":")[-1] if len(parts) > 2 else ""
    return (parts[1] if len(parts) > 1 else "", SET_ORDER.index(s) if s in SET_ORDER else 99,
            s, int(threads) if threads.isdigit() else 0, name)


class ReportError(Exception):
    """A one-line message for the user: bad input, a missing tool."""


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class Phase:
    median: float          # seconds, median of all samples
    lo: float              # min of the repetition medians
    hi: float              # max of the repetition medians
    reps: int
    gflops: float | None   # executed GFLOP/s at the median, as the file records it
    flop: float | None     # executed FLOP per sample
    bytes: float | None    # executed bytes per sample (schema 2, later runs), else None
    speedup: float | None  # scalar's median / this median, as the file records it


@dataclass
class Case:
    name: str              # set/precision/threads:n
    set: str
    precision: str
    threads: int
    phases: dict           # "epoch"/"test" -> Phase (test missing without a test set)
    peak_gflops: float | None
    percent_of_peak: float | None  # of the training epoch, as the file records it
    check: str             # PASSED, FAILED, SKIPPED
    check_detail: str

    def percent(self, phase):
        """Executed GFLOP/s of the phase as a percentage of the case's FMA peak."""
        p = self.phases.get(phase)
        if p is None or p.gflops is None or not self.peak_gflops:
            return None
        return 100 * p.gflops / self.peak_gflops


@dataclass
class Run:
    path: str
    schema: int
    doc: dict
    machine_key: tuple
    machine_label: str
    machine_short: str
    commit: str | None
    dirty: bool
    date: datetime
    cases: dict = field(default_factory=dict)  # name -> Case, in the file's order

    @property
    def commit_label(self):
        if not self.commit:
            return "unknown commit"
        return self.commit[:10] + ("+dirty" if self.dirty else "")

    @property
    def peak(self):
        return self.doc["context"].get("peak") or None

    def ceilings(self):
        """(fma_gflops, triad_bandwidth) of the peak probe, or None without them."""
        peak = self.peak
        if not isinstance(peak, dict):
            return None
        fma, triad = peak.get("fma_gflops"), peak.get("triad_bandwidth")
        if not isinstance(fma, dict) or not isinstance(triad, list) or not triad:
            return None
        return fma, triad

    def has_bytes(self):
        return all(p.bytes for c in self.cases.values() for p in c.phases.values())

    def not_on_roofline(self):
        """Why this run cannot go on the roofline, or None if it can."""
        if self.schema == 1:
            return "no bandwidth or byte counts (schema 1)"
        if not self.peak:
            return "no peak probe (bench --no-peak): no ceilings"
        if not self.has_bytes() or self.ceilings() is None:
            return "no bandwidth or byte counts (schema 2, written before bench recorded them)"
        return None


class _Reader:
    """Typed access to the document, with the path of a bad field in the message."""

    def __init__(self, path):
        self.path = path

    def fail(self, where, what):
        raise ReportError(f"{self.path}: {where}: {what}")

    def get(self, obj, where, key, kind, optional=False):
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None and optional:
            return None
        ok = isinstance(value, kind) and not (kind in (int, float, (int, float))
                                              and isinstance(value, bool))
        if not ok:
            names = {str: "a string", dict: "an object", list: "a list", bool: "true or false",
                     int: "an integer", (int, float): "a number"}
            self.fail(f"{where}.{key}" if where else key, f"expected {names.get(kind, kind)}")
        return value

    def number(self, obj, where, key, optional=True, positive=True):
        value = self.get(obj, where, key, (int, float), optional)
        if value is not None and positive and not value > 0:
            self.fail(f"{where}.{key}", f"expected a positive number, got {value}")
        return value


def _positive_samples(r, where, samples, expected):
    if len(samples) != expected:
        r.fail(where, f"{len(samples)} samples, expected {expected}")
    for i, s in enumerate(samples):
        if isinstance(s, bool) or not isinstance(s, (int, float)) or not s > 0:
            r.fail(where, f"sample {i} is {json.dumps(s)}, not a positive time")
    return samples


def _phase(r, kase, where, key, reps, per_rep):
    p = kase.get(key)
    if p is None and key == "test_pass":
        return None
    where = f"{where}.{key}"
    if not isinstance(p, dict):
        r.fail(where, "expected an object")
    samples = _positive_samples(r, f"{where}.samples", r.get(p, where, "samples", list),
                                reps * per_rep)
    rep_medians = [statistics.median(samples[k * per_rep:(k + 1) * per_rep])
                   for k in range(reps)]
    flop = r.get(p, where, "flop", dict, optional=True) or {}
    nbytes = r.get(p, where, "bytes", dict, optional=True) or {}
    return Phase(median=statistics.median(samples), lo=min(rep_medians), hi=max(rep_medians),
                 reps=reps, gflops=r.number(p, where, "gflops_executed"),
                 flop=r.number(flop, f"{where}.flop", "executed"),
                 bytes=r.number(nbytes, f"{where}.bytes", "executed"),
                 speedup=r.number(p, where, "speedup_vs_scalar"))


def _case(r, kase, i, reps, epochs):
    where = f"cases[{i}]"
    if not isinstance(kase, dict):
        r.fail(where, "expected an object")
    name = r.get(kase, where, "name", str)
    phases = {}
    for key, short in PHASES:
        p = _phase(r, kase, where, key, reps, epochs if short == "epoch" else 1)
        if p is not None:
            phases[short] = p
    corr = r.get(kase, where, "correctness", dict, optional=True) or {}
    check = r.get(corr, f"{where}.correctness", "status", str, optional=True) or "SKIPPED"
    if check not in ("PASSED", "FAILED", "SKIPPED"):
        r.fail(f"{where}.correctness.status", f"unknown status {json.dumps(check)}")
    return Case(name=name, set=r.get(kase, where, "set", str),
                precision=r.get(kase, where, "precision", str),
                threads=r.get(kase, where, "threads", int), phases=phases,
                peak_gflops=r.number(kase, where, "peak_gflops"),
                percent_of_peak=r.number(kase, where, "percent_of_peak"), check=check,
                check_detail=corr.get("detail") or "")


def _date(r, ctx, machine):
    text = ctx.get("date") or machine.get("date")
    if isinstance(text, str):
        try:
            d = datetime.fromisoformat(text)
            return d if d.tzinfo else d.replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    utc = machine.get("date_utc")
    if isinstance(utc, str):
        try:
            return datetime.strptime(utc, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    r.fail("context.date", "expected an ISO 8601 time")


def _size(n):
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} B"


def _cache_summary(machine):
    """L1d/L2/L3 sizes: what tells apart CPUs that a hypervisor gives one model name,
    when the file has no cpu.id (schema 1)."""
    caches = (machine.get("topology") or {}).get("caches") or []
    parts = []
    for c in caches:
        if isinstance(c, dict) and c.get("type") != "instruction":
            kind = "d" if c.get("type") == "data" else ""
            parts.append(f"L{c.get('level')}{kind} {_size(int(c.get('size') or 0))}")
    return ", ".join(parts) or "caches unknown"


def _machine(r, ctx):
    machine = r.get(ctx, "context", "machine", dict)
    cpu = r.get(machine, "context.machine", "cpu", dict)
    model = r.get(cpu, "context.machine.cpu", "model", str)
    features = r.get(cpu, "context.machine.cpu", "features", list)
    host = machine.get("host_name") or ctx.get("host_name") or "unknown host"
    cpu_id = cpu.get("id") if cpu.get("id") not in (None, "", "unknown") else None
    caches = None if cpu_id else _cache_summary(machine)
    key = (host, model, cpu_id, " ".join(map(str, features)), caches)
    if cpu_id:
        short_id = cpu_id
        for word, letter in (("family ", "f"), ("model ", "m"), ("stepping ", "s")):
            short_id = short_id.replace(word, letter)
        short_id = short_id.replace(" ", "-")
    else:
        short_id = f"(no CPU id; {caches})"
    label = f"{model} ({cpu_id or 'no CPU id in the file; ' + caches}) on {host}"
    if cpu.get("hypervisor"):
        label += f", {cpu['hypervisor']} guest"
    return machine, key, label, f"{host}: {model} {short_id}"


def load(path):
    """A Run, or Skipped for a Google Benchmark file; ReportError for anything else."""
    try:
        with open(path, "rb") as f:
            doc = json.load(f)
    except OSError as e:
        raise ReportError(f"{path}: cannot open: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not valid JSON: {e.msg} (line {e.lineno})") from None
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not valid JSON: not UTF-8 text") from None
    r = _Reader(path)
    if not isinstance(doc, dict):
        raise ReportError(f"{path}: not a result file: the document is not a JSON object")
    if isinstance(doc.get("tool"), str) and "context" not in doc:
        return Skipped(path, f"written by {doc['tool']}, not an mlpbench bench result")
    if doc.get("kind") == "mpi-scaling":
        return Skipped(path, "an MPI scaling result (mlpbench bench --scaling): not part of "
                             "this report (tools/mpi-model reads it)")
    if "cases" not in doc:
        if isinstance(doc.get("benchmarks"), list):
            return Skipped(path, "Google Benchmark output (no cases): not part of this "
                                 "report; `mlpbench compare` judges such files")
        raise ReportError(f"{path}: not a result file: neither 'cases' (mlpbench) nor "
                          "'benchmarks' (Google Benchmark)")
    schema = r.get(doc, "", "schema_version", int)
    if schema not in SCHEMAS:
        r.fail("schema_version", f"unknown version {schema} (this report reads 1 and 2)")
    ctx = r.get(doc, "", "context", dict)
    cfg = r.get(doc, "", "configuration", dict)
    reps, epochs = (r.get(cfg, "configuration", k, int) for k in ("repetitions", "epochs"))
    if reps < 1 or epochs < 1:
        r.fail("configuration", "repetitions and epochs must be positive")
    machine, key, label, short = _machine(r, ctx)
    build = machine.get("build") or {}
    git = build.get("git") or {}
    commit = git.get("commit") if isinstance(git.get("commit"), str) else None
    run = Run(path=path, schema=schema, doc=doc, machine_key=key, machine_label=label,
              machine_short=short, commit=commit if commit and commit != "unknown" else None,
              dirty=bool(git.get("dirty")), date=_date(r, ctx, machine))
    cases = r.get(doc, "", "cases", list)
    if not cases:
        r.fail("cases", "no cases in the file")
    for i, kase in enumerate(cases):
        c = _case(r, kase, i, reps, epochs)
        if c.name in run.cases:
            r.fail(f"cases[{i}]", f"case {c.name} appears twice")
        run.cases[c.name] = c
    return run
