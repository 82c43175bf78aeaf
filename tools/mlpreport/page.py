"""page.py: the report as one self-contained HTML page: no network, the plots inline
as PNG data: URIs, the CSS and the self-check script (selfcheck.js) inline. Sections,
by id: inputs, machines, history, across, roofline, context, and #selfcheck at the end.

`breakage` (tools/report --break, for the browser test only) spoils the page on
purpose: blank-image, broken-image, missing-section or script-error."""

import os
from html import escape

from . import plots
from .load import case_order
from .markdown import fmt_interval, fmt_num, fmt_pct, fmt_speedup, fmt_time

SECTIONS = ("inputs", "machines", "history", "across", "roofline", "context")

CSS = """
body { font-family: "DejaVu Sans", sans-serif; font-size: 14px; margin: 1.5em 2em;
       color: #222; max-width: 1400px; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
h3 { font-size: 1.05em; margin-top: 1.5em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 12.5px; }
th, td { border: 1px solid #ddd; padding: 3px 7px; vertical-align: top; }
th { background: #f3f3f3; text-align: left; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.FAILED, .slower { color: #c00; font-weight: bold; } .faster { color: #080; font-weight: bold; }
.PASSED { color: #080; } .SKIPPED, .note, .small { color: #777; } .small { font-size: 11px; }
.break { background: #f6f0e0; }
img { max-width: 100%; border: 1px solid #eee; }
code { background: #f5f5f5; padding: 0 3px; }
#selfcheck { white-space: pre-wrap; color: #777; font-size: 11px; }
"""


class Images:
    """The plots of the page, counted for the self-check (body data-images)."""

    def __init__(self, breakage):
        self.count = 0
        self.breakage = breakage

    def tag(self, uri, alt):
        self.count += 1
        if self.breakage == "blank-image" and self.count == 1:
            uri = plots.blank_png()
        if self.breakage == "broken-image" and self.count == 1:
            uri = "data:image/png;base64,bm90IGEgUE5H"  # "not a PNG": cannot be decoded
        return f'<p><img src="{uri}" alt="{escape(alt)}"></p>'


def _h(text):
    return escape(str(text))


def _table(head, rows, numeric=()):
    out = ["<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = ' class="n"' if i in numeric else ""
            cells.append(f"<td{cls}>{cell}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(out) + "</table>"


def _status(check):
    return f'<span class="{_h(check)}">{_h(check)}</span>'


def _machine_table(run):
    rows = []
    for c in sorted(run.cases.values(), key=lambda c: case_order(c.name)):
        e, t = c.phases.get("epoch"), c.phases.get("test")
        rows.append([f"<code>{_h(c.name)}</code>", fmt_interval(e), fmt_interval(t),
                     fmt_speedup(e), fmt_speedup(t), fmt_num(e and e.gflops),
                     fmt_num(t and t.gflops), fmt_pct(c.percent("epoch")),
                     fmt_pct(c.percent("test")),
                     _status(c.check) + (f'<br><span class="small">{_h(c.check_detail)}</span>'
                                         if c.check == "FAILED" and c.check_detail else "")])
    head = ["case", "epoch median (min..max of rep. medians)", "test median (min..max)",
            "speedup vs scalar, epoch", "speedup, test", "GFLOP/s epoch (executed)",
            "GFLOP/s test", "% of FMA peak, epoch", "% of peak, test", "check"]
    return _table(head, rows, numeric=range(1, 9))


def section_inputs(runs, skipped, machines, threshold):
    cmd = "mlpbench compare --format json --fail-on never"
    if threshold is not None:
        cmd += f" --threshold {threshold}"
    items = "".join(f"<li><code>{_h(r.path)}</code>: schema {r.schema}, "
                    f"{_h(r.machine_short)}, {_h(r.commit_label)}, {r.date:%Y-%m-%d %H:%M %z}</li>"
                    for r in sorted(runs, key=lambda r: r.path))
    skips = "".join(f"<li><code>{_h(s.path)}</code>: skipped: {_h(s.reason)}</li>"
                    for s in skipped)
    return f"""<section id="inputs"><h2>Inputs</h2>
<p>{len(runs)} result files from {len(machines)} machine(s). A machine is its CPU model, CPU id,
ISA features and host name (schema 1 files have no CPU id: their cache sizes stand in for it).</p>
<ul>{items}{skips}</ul>
<p class="note">Times: the median of all samples of a phase (what <code>mlpbench bench</code>'s
rates use), with the min..max of the repetition medians as its interval (the spread between
repetitions, which is what <code>mlpbench compare</code> judges). Speedup, GFLOP/s (executed
FLOP: zero inputs skipped where a set skips them) and % of peak (of the case's measured FMA peak
for its precision and thread count) are as the file records them at that median. History
verdicts: <code>{_h(cmd)}</code>
between consecutive runs of a machine.</p></section>"""


def section_machines(machines):
    parts = ['<section id="machines"><h2>Per machine</h2>']
    for m in machines:
        r = m.latest
        parts.append(f"<h3>{_h(m.label)}</h3><p>Latest run: <code>{_h(r.path)}</code>, commit "
                     f"{_h(r.commit_label)}, {r.date:%Y-%m-%d %H:%M %z}"
                     f"{f' ({len(m.runs)} runs in the history below)' if len(m.runs) > 1 else ''}"
                     f".</p>")
        parts.append(_machine_table(r))
    return "\n".join(parts) + "</section>"


def _verdict_mark(row):
    if not row:
        return ""
    v = row["verdict"]
    title = f'{v}: B/A {row["ratio"]:.3f} [{row["lo"]:.3f}, {row["hi"]:.3f}]'
    mark = {"slower": "&#9650; slower", "faster": "&#9660; faster", "FAILED": "FAILED"}.get(v)
    text = f"{mark} &times;{row['ratio']:.2f}" if mark else _h(v)
    cls = v if mark else "small"
    return f' <span class="{cls}" title="{_h(title)}">{text}</span>'


def _history_table(m, phase):
    head = ["case"]
    for i, r in enumerate(m.runs):
        brk = i > 0 and m.steps[i - 1].refused
        head.append(("break &#8214; " if brk else "") + f"{_h(r.commit_label)}<br>"
                    f'<span class="small">{r.date:%Y-%m-%d %H:%M}</span>')
    names = sorted({n for r in m.runs for n in r.cases}, key=case_order)
    rows = []
    for name in names:
        row = [f"<code>{_h(name)}</code>"]
        for i, r in enumerate(m.runs):
            p = name in r.cases and r.cases[name].phases.get(phase)
            cell = fmt_time(p.median) if p else "&mdash;"
            if i > 0 and p:
                cell += _verdict_mark(m.steps[i - 1].verdicts.get(f"{phase}/{name}"))
            row.append(cell)
        rows.append(row)
    return _table(head, rows, numeric=range(1, len(m.runs) + 1))


def section_history(machines, images):
    parts = ['<section id="history"><h2>History</h2>']
    for m in machines:
        parts.append(f"<h3>{_h(m.short)}</h3><p class=\"note\">Order: {_h(m.order_note)}.</p>")
        if len(m.runs) < 2:
            parts.append("<p>One run: nothing to compare yet.</p>")
            continue
        parts.append(images.tag(plots.history_png(m), f"history of {m.short}"))
        for phase, title in (("epoch", "training epoch"), ("test", "test pass")):
            parts.append(f"<p><b>{title} medians</b> (&#9650;/&#9660;: compare's slower/faster "
                         f"verdict against the run before; hover for the ratio and interval)</p>")
            parts.append(_history_table(m, phase))
        breaks = [s for s in m.steps if s.refused]
        if breaks:
            parts.append("<p><b>Breaks</b> (pairs <code>mlpbench compare</code> refused):</p><ul>"
                         + "".join(f'<li class="break">{_h(s.a.commit_label)} &rarr; '
                                   f"{_h(s.b.commit_label)}: {_h(s.refused)}</li>"
                                   for s in breaks) + "</ul>")
        changes = [(s, row) for s in m.steps for row in s.verdicts.values()
                   if row["verdict"] in ("slower", "faster", "FAILED")]
        if changes:
            parts.append("<p><b>Significant changes</b>:</p><ul>" + "".join(
                f'<li><span class="{_h(row["verdict"])}">{_h(row["verdict"])}</span> '
                f"<code>{_h(row['name'])}</code> {_h(s.a.commit_label)} &rarr; "
                f"{_h(s.b.commit_label)}: B/A {row['ratio']:.3f} "
                f"[{row['lo']:.3f}, {row['hi']:.3f}]</li>" for s, row in changes) + "</ul>")
        else:
            parts.append("<p>No significant change between consecutive runs.</p>")
    return "\n".join(parts) + "</section>"


def section_across(machines, images):
    parts = ['<section id="across"><h2>Across CPUs</h2>',
             "<p>Each case on each machine (its latest run), in time and as a percentage of "
             "that machine's own measured FMA peak.</p>"]
    parts.append(images.tag(plots.across_png(machines), "each case on each machine"))
    names = sorted({n for m in machines for n in m.latest.cases}, key=case_order)
    head = ["case"] + [f"{_h(m.short)}<br><span class=\"small\">epoch / test / % peak "
                       f"(epoch)</span>" for m in machines]
    rows = []
    for name in names:
        row = [f"<code>{_h(name)}</code>"]
        for m in machines:
            c = m.latest.cases.get(name)
            if not c:
                row.append("&mdash;")
                continue
            e, t = c.phases.get("epoch"), c.phases.get("test")
            row.append(f"{fmt_time(e.median) if e else '&mdash;'} / "
                       f"{fmt_time(t.median) if t else '&mdash;'} / {fmt_pct(c.percent('epoch'))}")
        rows.append(row)
    parts.append(_table(head, rows, numeric=range(1, len(machines) + 1)))
    return "\n".join(parts) + "</section>"


def roofline_split(machines):
    """(machines whose latest run goes on the roofline, [(machine, why not)])."""
    on = [m for m in machines if m.latest.not_on_roofline() is None]
    off = [(m, m.latest.not_on_roofline()) for m in machines if m not in on]
    return on, off


def section_roofline(machines, images):
    on, off = roofline_split(machines)
    parts = ['<section id="roofline"><h2>Roofline</h2>',
             "<p>Achieved GFLOP/s (executed FLOP at the median) against arithmetic intensity "
             "(executed FLOP / executed bytes of the phase, bytes by bench's cache-traffic "
             "model), log-log, with each machine's FMA ceilings (<code>context.peak.fma_gflops"
             "</code>) and triad bandwidth ceilings (<code>context.peak.triad_bandwidth</code>: "
             "L1, L2, memory), per core (solid) and over all threads (dotted).</p>"]
    if on:
        parts.append(images.tag(plots.roofline_png(on), "roofline"))
    else:
        parts.append("<p>No machine's latest run has byte counts and bandwidth ceilings.</p>")
    if off:
        parts.append("<ul>" + "".join(f"<li>{_h(m.short)} (<code>{_h(m.latest.path)}</code>): "
                                      f"not on the roofline: {_h(why)}</li>" for m, why in off)
                     + "</ul>")
    return "\n".join(parts) + "</section>"


def _peak_cell(run):
    peak = run.peak
    if not isinstance(peak, dict):
        return "no peak probe"
    fma = peak.get("fma_gflops") or {}
    cells = [f"FMA {p}: {fmt_num((fma.get(p) or {}).get('core'))} per core, "
             f"{fmt_num((fma.get(p) or {}).get('all'))} all" for p in sorted(fma)]
    for t in peak.get("triad_bandwidth") or []:
        cells.append(f"triad {_h(t.get('level'))}: {fmt_num(t.get('core_gbs'))} GB/s per core")
    return "<br>".join(cells) + f"<br>({_h(peak.get('isa', '?'))})"


def _processes(cfg):
    n = cfg.get("processes")
    if n is None:
        return "in one process (schema 1)"
    return "in one process" if n == 0 else f"{n} worker processes"


def section_context(runs):
    rows = []
    for r in sorted(runs, key=lambda r: (r.machine_label, r.date, r.path)):
        ctx, cfg = r.doc["context"], r.doc["configuration"]
        m = ctx["machine"]
        cpu, build = m.get("cpu") or {}, m.get("build") or {}
        git = build.get("git") or {}
        os_ = m.get("os") or {}
        warnings = ctx.get("warnings") or []
        rows.append([
            f"<code>{_h(os.path.basename(r.path))}</code><br>schema {r.schema}",
            f"{_h(r.machine_label)}<br><span class=\"small\">"
            f"{_h(' '.join(cpu.get('features') or []))}; "
            f"{_h(os_.get('name', ''))} {_h(os_.get('kernel', ''))}</span>",
            f"{_h(build.get('compiler', '?'))}, {_h(build.get('build_type', '?'))}<br>"
            f"<span class=\"small\">{_h(build.get('flags', ''))}</span>",
            f"{_h(git.get('commit') or 'unknown')}{' (dirty)' if git.get('dirty') else ''}"
            f"<br><span class=\"small\">{_h(git.get('source', ''))}</span>",
            _h(ctx.get("date") or r.date.isoformat()),
            f"{cfg.get('repetitions')} rep. x {cfg.get('epochs')} epochs, "
            f"{_processes(cfg)}; "
            f"{_h(','.join(cfg.get('precisions') or []))}; threads "
            f"{_h(','.join(map(str, cfg.get('threads') or [])))}",
            _peak_cell(r),
            "<br>".join(_h(w) for w in warnings) or "none"])
    head = ["file", "machine", "compiler, flags", "commit", "date", "run", "peak probe",
            "warnings"]
    return ('<section id="context"><h2>Context</h2>' + _table(head, rows) + "</section>")


def render(runs, skipped, machines, threshold=None, breakage=None):
    images = Images(breakage)
    sections = {
        "inputs": lambda: section_inputs(runs, skipped, machines, threshold),
        "machines": lambda: section_machines(machines),
        "history": lambda: section_history(machines, images),
        "across": lambda: section_across(machines, images),
        "roofline": lambda: section_roofline(machines, images),
        "context": lambda: section_context(runs),
    }
    body = [build() for sid, build in sections.items()
            if not (breakage == "missing-section" and sid == "roofline")]
    with open(os.path.join(os.path.dirname(__file__), "selfcheck.js"), encoding="utf-8") as f:
        selfcheck = f.read()
    broken_script = ("<script>reportNotDefinedOnPurpose();</script>"
                     if breakage == "script-error" else "")
    toc = " &middot; ".join(f'<a href="#{s}">{s}</a>' for s in SECTIONS)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<script>{selfcheck}</script>
<title>mlpbench report</title>
<style>{CSS}</style></head>
<body data-images="{images.count}">
<h1>mlpbench report</h1>
<p>{toc}</p>
{chr(10).join(body)}
{broken_script}
<footer><p id="selfcheck" data-verdict="not-run">self-check: did not run (JavaScript off?)</p>
<p class="small">Made by <code>tools/report</code> from the files listed under Inputs.</p></footer>
</body></html>
"""
