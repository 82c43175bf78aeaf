"""markdown.py: `tools/report --format markdown`: a short summary for a review or the
README, one table per machine (its latest run): per case the epoch and test medians
with the min..max of the repetition medians, the speedup over scalar, % of the FMA peak
and the correctness check. Also the number formats the HTML page shares."""

from .load import case_order


def _unit(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return unit, scale
    return "ns", 1e-9


def fmt_time(seconds):
    if seconds is None:
        return "—"
    unit, scale = _unit(seconds)
    return f"{seconds / scale:.3g} {unit}"


def fmt_interval(phase):
    """'23.9 ms (23.5..25.3)': the median and the min..max of the repetition medians, in
    the median's unit."""
    if phase is None:
        return "—"
    unit, scale = _unit(phase.median)
    return (f"{phase.median / scale:.3g} {unit} "
            f"({_plain(phase.lo / scale)}..{_plain(phase.hi / scale)})")


def _plain(x):
    """3 significant digits, never in e-notation: an interval end of 1290 µs beside a
    median of 915 µs stays 1290, not 1.29e+03."""
    return f"{x:.3g}" if x < 1000 else f"{x:.0f}"


def fmt_num(x, digits=3):
    return "—" if x is None else f"{x:.{digits}g}"


def fmt_pct(x):
    return "—" if x is None else f"{x:.1f}%"


def fmt_speedup(phase):
    return "—" if phase is None or phase.speedup is None else f"{phase.speedup:.2f}x"


def render(machines, skipped):
    out = ["# mlpbench results", ""]
    for m in machines:
        r = m.latest
        out += [f"## {m.label}", "",
                f"`{r.path}` ({r.commit_label}, {r.date:%Y-%m-%d %H:%M %z}); medians with the "
                "min..max of the repetition medians; % of the case's measured FMA peak.", "",
                "| case | epoch | test | speedup (epoch) | % peak (epoch) | check |",
                "|---|---:|---:|---:|---:|---|"]
        for c in sorted(r.cases.values(), key=lambda c: case_order(c.name)):
            e, t = c.phases.get("epoch"), c.phases.get("test")
            out.append(f"| `{c.name}` | {fmt_interval(e)} | {fmt_interval(t)} | "
                       f"{fmt_speedup(e)} | {fmt_pct(c.percent('epoch'))} | {c.check} |")
        out.append("")
    for s in skipped:
        out.append(f"Skipped `{s.path}`: {s.reason}.")
    return "\n".join(out).rstrip() + "\n"
