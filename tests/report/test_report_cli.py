#!/usr/bin/python3
"""test_report_cli.py: tools/report without a browser: usage errors and bad input give a
one-line error and the right exit status, Google Benchmark files are skipped with a note,
the Markdown summary of the committed results, the history's order (commit order in a
repository, dates outside one) and its breaks (a pair `mlpbench compare` refuses), and
which runs can go on the roofline. Needs no matplotlib (the HTML page does).

usage: test_report_cli.py --report PATH --mlpbench PATH --results DIR --repo DIR"""

import argparse
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

ARGS = None
sys.dont_write_bytecode = True  # it imports tools/mlpreport: no __pycache__ in the source tree


def run(*argv, cwd=None):
    return subprocess.run([ARGS.report, *argv], capture_output=True, text=True, cwd=cwd)


def newest(schema):
    """(path, document) of the newest committed result file of that schema."""
    best = None
    for f in glob.glob(os.path.join(ARGS.results, "*.json")):
        with open(f, encoding="utf-8") as fh:
            doc = json.load(fh)
        if not (isinstance(doc.get("cases"), list) and isinstance(doc.get("context"), dict)):
            continue  # not a bench result (a Google Benchmark file, the insn-gate baseline)
        when = doc["context"].get("machine", {}).get("date_utc", "")
        if doc.get("schema_version") == schema and (best is None or when > best[2]):
            best = (f, doc, when)
    return best[:2]


class ReportCli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, doc):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(doc if isinstance(doc, str) else json.dumps(doc))
        return path

    def assert_error(self, out, status, text):
        self.assertEqual(out.returncode, status, out.stderr)
        lines = out.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, f"not one line: {out.stderr!r}")
        self.assertTrue(lines[0].startswith("report: error: "), lines[0])
        self.assertIn(text, lines[0])

    def test_help(self):
        out = run("--help")
        self.assertEqual(out.returncode, 0)
        self.assertIn("usage: tools/report", out.stdout)

    def test_usage_errors(self):
        f = newest(2)[0]
        self.assert_error(run("--bogus", f), 2, "unknown option '--bogus'")
        self.assert_error(run(), 2, "expects result files")
        self.assert_error(run(f), 2, "needs -o OUT.html")
        self.assert_error(run("--format", "pdf", f), 2, "--format expects html or markdown")
        self.assert_error(run("--threshold", "x", "--format", "markdown", f), 2, "--threshold")
        self.assert_error(run("--break", "nothing", "-o", "x.html", f), 2, "--break expects")
        self.assert_error(run("--format", "markdown", f, "-o"), 2, "-o needs a value")

    def test_bad_input(self):
        good = newest(2)[1]
        self.assert_error(run("--format", "markdown", os.path.join(self.dir, "none.json")), 1,
                          "cannot open")
        self.assert_error(run("--format", "markdown", self.write("a.json", "{")), 1,
                          "not valid JSON")
        self.assert_error(run("--format", "markdown", self.write("b.json", "[1]")), 1,
                          "not a result file")
        self.assert_error(run("--format", "markdown", self.write("c.json", {"x": 1})), 1,
                          "not a result file")
        doc = copy.deepcopy(good)
        doc["schema_version"] = 3
        self.assert_error(run("--format", "markdown", self.write("d.json", doc)), 1,
                          "unknown version 3")
        doc = copy.deepcopy(good)
        doc["cases"][0]["train_epoch"]["samples"][2] = -1
        self.assert_error(run("--format", "markdown", self.write("e.json", doc)), 1,
                          "cases[0].train_epoch.samples: sample 2 is -1")
        doc = copy.deepcopy(good)
        del doc["context"]["machine"]["cpu"]["model"]
        self.assert_error(run("--format", "markdown", self.write("f.json", doc)), 1,
                          "context.machine.cpu.model: expected a string")
        empty = os.path.join(self.dir, "empty")
        os.mkdir(empty)
        self.assert_error(run("--format", "markdown", empty), 1, "no .json files")

    def test_gbench_skipped(self):
        gb = self.write("gb.json", {"context": {}, "benchmarks": [{"name": "x"}]})
        self.assert_error(run("--format", "markdown", gb), 1, "no mlpbench result file")
        out = run("--format", "markdown", gb, newest(2)[0])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("skipped", out.stderr)
        self.assertIn("Skipped `" + gb + "`: Google Benchmark output", out.stdout)

    def test_other_tool_skipped(self):
        gate = self.write("insn.json", {"schema_version": 1, "tool": "tools/insn-gate",
                                        "cases": {}})
        out = run("--format", "markdown", gate, newest(2)[0])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("written by tools/insn-gate", out.stdout)

    def test_markdown_summary(self):
        out = run("--format", "markdown", "--mlpbench", ARGS.mlpbench, ARGS.results)
        self.assertEqual(out.returncode, 0, out.stderr)
        path, doc = newest(2)
        self.assertIn(f"`{path}`", out.stdout)
        self.assertIn("| case | epoch | test | speedup (epoch) | % peak (epoch) | check |",
                      out.stdout)
        for c in doc["cases"]:
            self.assertRegex(out.stdout, rf"\| `{c['name']}` \| [0-9.]+ m?s \(.*\) \| .* \| "
                                         rf"{c['correctness']['status']} \|")
        self.assertIn("(no CPU id in the file;", out.stdout)  # the schema 1 file's machine

    def test_missing_mlpbench(self):
        path, doc = newest(2)
        later = copy.deepcopy(doc)
        later["context"]["date"] = "2100-01-01T00:00:00+00:00"
        out = run("--format", "markdown", "--mlpbench", os.path.join(self.dir, "nope"), path,
                  self.write("later.json", later))
        self.assert_error(out, 1, "mlpbench not found at")

    def test_history_order_and_break(self):
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(ARGS.report))))
        from mlpreport import history, load
        path, doc = newest(2)
        older = copy.deepcopy(doc)
        older["context"]["date"] = "2000-01-01T00:00:00+00:00"
        other = copy.deepcopy(doc)
        other["configuration"]["train_count"] = other["data"]["train_count"] = 999
        runs = [load.load(path), load.load(self.write("older.json", older)),
                load.load(self.write("other.json", other))]
        # inside the repository: commit order, then date; the runs here share a commit
        positions, why = history.commit_positions(ARGS.repo)
        self.assertIsNone(why)
        (m,) = history.group(list(runs), positions, why)
        self.assertIn("rev-list --topo-order", m.order_note)
        self.assertEqual(m.runs[0].path, os.path.join(self.dir, "older.json"))
        # outside a repository: by date, and the page says why
        positions, why = history.commit_positions(self.dir)
        (m,) = history.group(list(runs), positions, why)
        self.assertIn("by date", m.order_note)
        self.assertIn("not a git repository", m.order_note)
        # a commit the repository does not know: by date
        (m,) = history.group(list(runs), {"0" * 40: 0}, None)
        self.assertIn("commits not in this repository", m.order_note)
        # compare refuses the other workload: a break with its reason
        step = history.compare(ARGS.mlpbench, runs[0], runs[2])
        self.assertIn("workloads differ", step.refused or "")
        step = history.compare(ARGS.mlpbench, runs[1], runs[0])
        self.assertIsNone(step.refused)
        self.assertIn("epoch/" + doc["cases"][0]["name"], step.verdicts)

    def test_roofline_eligibility(self):
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(ARGS.report))))
        from mlpreport import load
        self.assertIsNone(load.load(newest(2)[0]).not_on_roofline())
        self.assertEqual(load.load(newest(1)[0]).not_on_roofline(),
                         "no bandwidth or byte counts (schema 1)")
        doc = copy.deepcopy(newest(2)[1])
        doc["context"]["peak"] = None
        self.assertIn("no peak probe", load.load(self.write("np.json", doc)).not_on_roofline())


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("report", "mlpbench", "results", "repo"):
        ap.add_argument(f"--{name}", required=True)
    ARGS, rest = ap.parse_known_args()
    ARGS.report = os.path.abspath(ARGS.report)
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
