"""plots.py: the report's figures with matplotlib (Agg backend), each returned as a PNG
data: URI so that the page needs no other file. Output is deterministic for the same
input and matplotlib: no timestamps or software names in the PNG, fixed sizes and
colours, everything in sorted order.

    history_png(machine)   per case, the median over the machine's runs in commit order,
                           compare's slower/faster verdicts marked, breaks drawn
    across_png(machines)   each case on each machine side by side: time and % of peak
    roofline_png(machines) achieved GFLOP/s against arithmetic intensity, log-log, with
                           each machine's FMA and triad-bandwidth ceilings"""

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib.lines import Line2D  # noqa: E402

from .load import SET_ORDER, case_order  # noqa: E402

plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "svg.hashsalt": "mlpbench",
                     "axes.grid": True, "grid.alpha": 0.3, "figure.dpi": 100})

SET_COLOURS = {"scalar": "#555555", "avx2": "#1f77b4", "avx512": "#ff7f0e", "neon": "#9467bd",
               "sve": "#8c564b", "omp": "#2ca02c"}
OTHER_COLOURS = ["#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]
MACHINE_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
                   "#e377c2", "#17becf"]
PHASE_TITLES = {"epoch": "training epoch", "test": "test pass"}
VERDICT_MARKS = {"slower": ("^", "#d62728"), "faster": ("v", "#2ca02c"),
                 "FAILED": ("X", "#000000")}


def short_case(name):
    """avx2/f64/threads:1 -> avx2/f64; omp/f64/threads:2 -> omp/f64 x2."""
    base, sep, threads = name.rpartition("/threads:")
    if not sep:
        return name
    return base if threads == "1" else f"{base} x{threads}"


def set_colour(s):
    if s in SET_COLOURS:
        return SET_COLOURS[s]
    return OTHER_COLOURS[sum(map(ord, s)) % len(OTHER_COLOURS)]


def machine_colour(i):
    return MACHINE_COLOURS[i % len(MACHINE_COLOURS)]


def to_uri(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None}, bbox_inches="tight",
                pad_inches=0.15)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def blank_png(width_in=8, height_in=4):
    """A plot-sized image of one colour: what the browser test must catch."""
    return to_uri(plt.figure(figsize=(width_in, height_in)))


def _ms(seconds):
    return seconds * 1e3


def history_png(machine):
    runs = machine.runs
    names = sorted({n for r in runs for n in r.cases}, key=case_order)
    fig, axes = plt.subplots(2, 1, figsize=(max(10, 1.2 * len(runs)), 7), sharex=True)
    breaks = [i for i, st in enumerate(machine.steps) if st.refused]
    for ax, phase in zip(axes, ("epoch", "test")):
        for name in names:
            kase = next(r.cases[name] for r in runs if name in r.cases)
            colour = set_colour(kase.set)
            style = "-" if kase.precision == "f32" else "--"
            xs, ys, lo, hi = [], [], [], []
            for i, r in enumerate(runs):
                p = r.cases.get(name) and r.cases[name].phases.get(phase)
                if p:
                    xs.append(i), ys.append(_ms(p.median))
                    lo.append(_ms(max(0, p.median - p.lo)))
                    hi.append(_ms(max(0, p.hi - p.median)))
            if not xs:
                continue
            ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o", color=colour, ms=4, capsize=3, lw=1)
            for seg in _segments(xs, breaks):  # no line across a break
                ax.plot([xs[k] for k in seg], [ys[k] for k in seg], style, color=colour, lw=1.2,
                        label=None)
            for i, st in enumerate(machine.steps):
                row = st.verdicts.get(f"{phase}/{name}")
                if row and row["verdict"] in VERDICT_MARKS and i + 1 in xs:
                    marker, c = VERDICT_MARKS[row["verdict"]]
                    ax.plot(i + 1, ys[xs.index(i + 1)], marker, color=c, ms=11, mfc="none",
                            mew=2)
        for b in breaks:
            ax.axvline(b + 0.5, color="#999999", ls=":", lw=2)
            ax.text(b + 0.5, 1.0, " break", transform=ax.get_xaxis_transform(), va="top",
                    ha="left", color="#666666")
        ax.set_yscale("log")
        ax.set_ylabel(f"{PHASE_TITLES[phase]} median, ms")
    axes[-1].set_xticks(range(len(runs)))
    axes[-1].set_xticklabels([f"{r.commit_label}\n{r.date:%Y-%m-%d %H:%M}" for r in runs],
                             fontsize=8, rotation=30 if len(runs) > 8 else 0,
                             ha="right" if len(runs) > 8 else "center")
    axes[-1].set_xlim(-0.5, len(runs) - 0.5)
    handles = [Line2D([], [], color=set_colour(s), lw=2, label=s)
               for s in sorted({r.cases[n].set for r in runs for n in r.cases},
                               key=lambda s: (SET_ORDER.index(s) if s in SET_ORDER else 99, s))]
    handles += [Line2D([], [], color="k", ls="-", label="f32"),
                Line2D([], [], color="k", ls="--", label="f64")]
    handles += [Line2D([], [], marker=m, color=c, ls="none", mfc="none", mew=2, ms=9,
                       label=f"compare: {v}") for v, (m, c) in VERDICT_MARKS.items()]
    axes[0].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    axes[0].set_title(f"{machine.short}: medians (bars: min..max of repetition medians)")
    return to_uri(fig)


def _segments(xs, breaks):
    """Index runs of xs that no break (between b and b + 1) separates."""
    seg, out = [0], []
    for k in range(1, len(xs)):
        if any(xs[k - 1] <= b < xs[k] for b in breaks):
            out.append(seg)
            seg = []
        seg.append(k)
    return out + [seg]


def across_png(machines):
    names = sorted({n for m in machines for n in m.latest.cases}, key=case_order)
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5))
    width = 0.8 / max(1, len(machines))
    for col, phase in enumerate(("epoch", "test")):
        for i, m in enumerate(machines):
            xs, ys, err, pct_x, pct = [], [], [[], []], [], []
            for j, name in enumerate(names):
                kase = m.latest.cases.get(name)
                p = kase and kase.phases.get(phase)
                if not p:
                    continue
                x = j - 0.4 + width * (i + 0.5)
                xs.append(x), ys.append(_ms(p.median))
                err[0].append(_ms(max(0, p.median - p.lo)))
                err[1].append(_ms(max(0, p.hi - p.median)))
                if kase.percent(phase) is not None:
                    pct_x.append(x), pct.append(kase.percent(phase))
            c = machine_colour(i)
            axes[0][col].bar(xs, ys, width, yerr=err, color=c, capsize=2, label=m.short)
            axes[1][col].bar(pct_x, pct, width, color=c, label=m.short)
        axes[0][col].set_yscale("log")
        axes[0][col].set_ylabel(f"{PHASE_TITLES[phase]} median, ms (log)")
        axes[1][col].set_ylabel(f"{PHASE_TITLES[phase]}: % of own FMA peak")
        for row in (0, 1):
            ax = axes[row][col]
            ax.set_xticks(range(len(names)))
            ax.set_xticklabels([short_case(n) for n in names], rotation=35, ha="right",
                               fontsize=8)
            ax.set_xlim(-0.6, len(names) - 0.4)
    axes[0][0].legend(loc="upper left", bbox_to_anchor=(0, 1.25), ncol=2, fontsize=8)
    fig.tight_layout()
    return to_uri(fig)


def _top(fma):
    """The highest FMA ceiling of a peak probe's fma_gflops."""
    return max((g for v in fma.values() for g in (v.get("core"), v.get("all")) if g), default=1)


def _ceiling_lines(ax, fma, triad, colour, xlim):
    """Horizontal FMA ceilings and diagonal triad-bandwidth ceilings (per core solid,
    all threads dotted), each bandwidth line ending where it meets the top FMA roof."""
    x0, x1 = xlim
    top = _top(fma)
    for prec, v in sorted(fma.items()):
        for scope, ls in (("core", "-"), ("all", ":")):
            g = v.get(scope)
            if g:
                ax.plot([x0, x1], [g, g], ls, color=colour, lw=1.3 if scope == "core" else 1)
                if scope == "core":
                    ax.text(x1, g, f" FMA {prec}", va="center", ha="left", color=colour,
                            fontsize=7)
    for t in triad:
        for scope, ls in (("core_gbs", "-"), ("all_gbs", ":")):
            bw = t.get(scope)
            if bw:
                xe = min(x1, top / bw)
                ax.plot([x0, xe], [bw * x0, bw * xe], ls, color=colour, lw=0.9, alpha=0.8)
                if scope == "core_gbs":
                    ax.text(x0 * 1.15, bw * x0 * 1.15, f"{t.get('level')} {bw:.0f} GB/s",
                            rotation=0, fontsize=7, color=colour, va="bottom")


def roofline_png(machines):
    """machines: those whose latest run has byte counts and bandwidth ceilings."""
    fig, axes = plt.subplots(1, len(machines), figsize=(6.5 * len(machines), 5.5),
                             squeeze=False)
    for i, (ax, m) in enumerate(zip(axes[0], machines)):
        run = m.latest
        fma, triad = run.ceilings()
        points = [(c, ph, p.flop / p.bytes, p.gflops) for c in run.cases.values()
                  for ph, p in sorted(c.phases.items()) if p.flop and p.bytes and p.gflops]
        ai = [p[2] for p in points] or [1]
        xlim = (min(ai) / 20, max(100.0, max(ai) * 20))
        _ceiling_lines(ax, fma, triad, machine_colour(i), xlim)
        for c, ph, x, y in sorted(points, key=lambda p: (case_order(p[0].name), p[1])):
            ax.plot(x, y, "o" if ph == "epoch" else "s", color=set_colour(c.set), ms=7,
                    mfc=set_colour(c.set) if c.precision == "f32" else "white", mew=1.5)
        ax.set_xscale("log"), ax.set_yscale("log")
        ax.set_xlim(*xlim)
        ys = [p[3] for p in points] or [1]
        peak = _top(fma)
        ax.set_ylim(min(min(ys), min(t.get("core_gbs") or 1 for t in triad) * xlim[0]) / 3,
                    peak * 3)
        ax.set_xlabel("arithmetic intensity, executed FLOP / byte")
        ax.set_ylabel("achieved GFLOP/s (executed)")
        ax.set_title(f"{m.short}\n{run.commit_label}", fontsize=9)
    sets = sorted({c.set for m in machines for c in m.latest.cases.values()},
                  key=lambda s: (SET_ORDER.index(s) if s in SET_ORDER else 99, s))
    handles = [Line2D([], [], marker="o", ls="none", color=set_colour(s), label=s) for s in sets]
    handles += [Line2D([], [], marker="o", ls="none", color="k", label="training epoch"),
                Line2D([], [], marker="s", ls="none", color="k", label="test pass"),
                Line2D([], [], marker="o", ls="none", color="k", mfc="k", label="f32 (filled)"),
                Line2D([], [], marker="o", ls="none", color="k", mfc="white",
                       label="f64 (hollow)"),
                Line2D([], [], color="k", ls="-", label="ceiling, one core"),
                Line2D([], [], color="k", ls=":", label="ceiling, all threads")]
    axes[0][-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.12, 1), fontsize=8)
    return to_uri(fig)
