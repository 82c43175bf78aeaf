#!/usr/bin/python3
"""check_page.py: the report page checked in a real browser (headless Chromium).

Builds a page with tools/report from the committed result files plus two made here (a
copy of the newest file with another training count, which `mlpbench compare` refuses:
a break in the history; and a Google Benchmark file, which the report skips), opens it
with `chromium --headless --dump-dom` and reads the dumped DOM and Chromium's log:
  - the page's self-check (tools/mlpreport/selfcheck.js) ran and passed: every <img>
    loaded and is not blank, no script error, no resource error, no console.error;
  - no console message in Chromium's log (--enable-logging=stderr), exit status 0;
  - every section is there (inputs, machines, history, across, roofline, context), the
    history, across and roofline sections each have a plot, the break and the skipped
    file are shown.
With --expect-broken WHAT the page is spoilt on purpose (tools/report --break WHAT) and
the test passes only if the check catches it, with the problem expected for WHAT.

usage: check_page.py --report PATH --mlpbench PATH --results DIR --repo DIR --work DIR
                     [--expect-broken blank-image|broken-image|missing-section|script-error]
Exit status: 0 pass; 1 fail; 77 skipped (no chromium or no python3-matplotlib); 2 usage."""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser

SECTIONS = ("inputs", "machines", "history", "across", "roofline", "context")
WITH_PLOTS = ("history", "across", "roofline")
# what the check must report for each breakage
CAUGHT = {"blank-image": r"image is blank", "broken-image": r"image did not load",
          "missing-section": r"section 'roofline' is missing",
          "script-error": r"script error: .*reportNotDefinedOnPurpose"}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--enable-logging=stderr",
                  "--v=0"]


class Dom(HTMLParser):
    """What the check needs from the dumped DOM: sections (with their images and text),
    the self-check element, body's data-images."""

    def __init__(self):
        super().__init__()
        self.sections, self.current, self.depth = {}, None, 0
        self.selfcheck, self.in_selfcheck, self.body_images, self.images = None, False, None, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body_images = a.get("data-images")
        if tag == "section":
            self.current = a.get("id", "?")
            self.sections[self.current] = {"images": 0, "text": "", "classes": set()}
        if self.current and a.get("class"):
            self.sections[self.current]["classes"].update(a["class"].split())
        if tag == "img":
            self.images += 1
            if self.current:
                self.sections[self.current]["images"] += 1
        if a.get("id") == "selfcheck":
            self.selfcheck = {"verdict": a.get("data-verdict"), "good": a.get("data-good-images"),
                              "text": ""}
            self.in_selfcheck = True

    def handle_endtag(self, tag):
        if tag == "section":
            self.current = None
        if tag == "p":
            self.in_selfcheck = False

    def handle_data(self, data):
        if self.in_selfcheck:
            self.selfcheck["text"] += data
        if self.current:
            self.sections[self.current]["text"] += data


def chromium():
    """The chromium executable (on PATH, else Debian's /usr/bin), or None."""
    return shutil.which("chromium") or shutil.which("chromium", path="/usr/bin")


def skip_reason():
    if not chromium():
        return "chromium is not installed (Debian package chromium)"
    probe = subprocess.run(["/usr/bin/python3", "-c", "import matplotlib.pyplot"],
                           capture_output=True)
    if probe.returncode != 0:
        return "matplotlib is not installed for /usr/bin/python3 (package python3-matplotlib)"
    return None


def make_inputs(results, work):
    """The committed result files, a copy of the newest schema 2 file with another training
    count (a workload compare refuses: a break), and a Google Benchmark file (skipped)."""
    files = sorted(glob.glob(os.path.join(results, "*.json")))
    newest = None
    for f in files:
        with open(f, encoding="utf-8") as fh:
            doc = json.load(fh)
        if not (isinstance(doc.get("cases"), list) and isinstance(doc.get("context"), dict)):
            continue  # not a bench result (a Google Benchmark file, the insn-gate baseline)
        when = doc["context"].get("machine", {}).get("date_utc", "")
        if doc.get("schema_version") == 2 and (newest is None or when > newest[2]):
            newest = (f, doc, when)
    if newest is None:
        raise SystemExit(f"FAIL: no schema 2 result file in {results} to build the test on")
    doc = newest[1]
    doc["configuration"]["train_count"] = doc["data"]["train_count"] = 999
    doc["context"]["date"] = doc["context"]["machine"]["date"] = "2000-01-01T00:00:00+00:00"
    brk = os.path.join(work, "made-by-test-other-workload.json")
    gbench = os.path.join(work, "made-by-test-gbench.json")
    with open(brk, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    with open(gbench, "w", encoding="utf-8") as fh:
        json.dump({"context": {"host_name": "x"}, "benchmarks": [
            {"name": "forward/scalar/f64/B1", "run_type": "iteration", "real_time": 1.0,
             "time_unit": "us"}]}, fh)
    return files + [brk, gbench]


def run_chromium(html, work):
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=work)
    cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
           "file://" + os.path.abspath(html)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        return None, "", ["chromium did not finish within 180 s"]
    except OSError as e:
        return None, "", [f"cannot run chromium: {e}"]
    problems = [] if out.returncode == 0 else [f"chromium exit status {out.returncode}"]
    # the page logs nothing on the console: any console message or uncaught error counts
    for line in out.stderr.splitlines():
        if ":CONSOLE" in line or "Uncaught" in line:
            problems.append("chromium log: " + line.strip()[:300])
    return out.stdout, out.stderr, problems


def check_dom(dom_text):
    dom = Dom()
    dom.feed(dom_text)
    problems = []
    sc = dom.selfcheck
    if sc is None:
        problems.append("no #selfcheck element in the page")
    elif sc["verdict"] != "pass":
        lines = sc["text"].strip().splitlines()
        problems += [f"self-check: {line}" for line in lines[1:]] or [
            f"self-check verdict {sc['verdict']!r}: {sc['text'].strip()}"]
    elif sc["good"] != str(dom.images):
        problems.append(f"self-check passed {sc['good']} images of {dom.images}")
    if dom.body_images != str(dom.images):
        problems.append(f"the page has {dom.images} images, the generator made {dom.body_images}")
    for sid in SECTIONS:
        if sid not in dom.sections:
            problems.append(f"section '{sid}' is missing")
        elif sid in WITH_PLOTS and dom.sections[sid]["images"] == 0:
            problems.append(f"section '{sid}' has no plot")
    hist = dom.sections.get("history", {"text": "", "classes": set()})
    if "break" not in hist["classes"] or "workloads differ" not in hist["text"]:
        problems.append("the history shows no break for the pair compare refuses")
    if "Google Benchmark output" not in dom.sections.get("inputs", {"text": ""})["text"]:
        problems.append("the skipped Google Benchmark file is not listed")
    return problems, dom


def main():
    ap = argparse.ArgumentParser(description="the report page checked in headless Chromium")
    for name in ("report", "mlpbench", "results", "repo", "work"):
        ap.add_argument(f"--{name}", required=True)
    ap.add_argument("--expect-broken", choices=sorted(CAUGHT))
    args = ap.parse_args()
    why = skip_reason()
    if why:
        print(f"SKIPPED: {why}")
        return 77
    start = time.monotonic()
    os.makedirs(args.work, exist_ok=True)
    work = tempfile.mkdtemp(prefix="report-browser-", dir=args.work)
    html = os.path.join(work, "report.html")
    cmd = [args.report, *make_inputs(args.results, work), "-o", html, "--mlpbench",
           args.mlpbench, "--repo", args.repo]
    if args.expect_broken:
        cmd += ["--break", args.expect_broken]
    made = subprocess.run(cmd, capture_output=True, text=True)
    if made.returncode != 0:
        print(f"FAIL: tools/report exit status {made.returncode}: {made.stderr.strip()}")
        return 1
    dom_text, _, problems = run_chromium(html, work)
    if dom_text is not None:
        more, dom = check_dom(dom_text)
        problems += more
    seconds = time.monotonic() - start
    if args.expect_broken:
        hit = [p for p in problems if re.search(CAUGHT[args.expect_broken], p)]
        if not hit:
            print(f"FAIL: a page broken on purpose ({args.expect_broken}) passed the check; "
                  f"problems seen: {problems or 'none'}")
            return 1
        print(f"PASS: the page broken on purpose ({args.expect_broken}) was caught: {hit[0]}"
              f" ({len(problems)} problem(s) in all, {seconds:.1f} s)")
    elif problems:
        print("FAIL: " + f"{len(problems)} problem(s) with {html}:\n  " + "\n  ".join(problems))
        return 1
    else:
        print(f"PASS: the report page: {dom.images} plots loaded and not blank, no errors, "
              f"sections {', '.join(SECTIONS)} present ({seconds:.1f} s)")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
