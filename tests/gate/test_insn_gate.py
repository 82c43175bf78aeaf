#!/usr/bin/env python3
# test_insn_gate.py: tools/insn-gate's comparison and its error paths on synthetic
# JSON files, through the real command line (--current FILE --baseline FILE), and its
# callgrind parser and valgrind-failure classifier on canned text. No valgrind needed.
# Run one case: test_insn_gate.py Gate.test_over_tolerance (what ctest does).
import copy
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GATE = os.path.join(HERE, "..", "..", "tools", "insn-gate")


def load_gate():
    loader = importlib.machinery.SourceFileLoader("insn_gate", GATE)
    spec = importlib.util.spec_from_loader("insn_gate", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def slot(per_call, calls):
    return {"function": "x", "calls": calls, "instructions": per_call * calls,
            "per_call": per_call}


def case(epoch=1_000_000):
    return {"train_epoch": slot(epoch, 2), "test_pass": slot(500_000, 2),
            "slots": {"forward": slot(10_000, 1216), "update": slot(3_000, 1200)}}


BASE = {
    "schema_version": 1,
    "identity": {"compiler": "GNU 12.2.0", "build_type": "Release", "flags": "-O3",
                 "valgrind": "valgrind-3.19.0", "valgrind_cpu_features": "sse2 avx avx2 fma",
                 "workload": {"main": ["--epochs", "2"]}},
    "cases": {"avx2/f32": case(), "scalar/f32": case(9_000_000)},
    "not_measured": {"avx512": "valgrind-3.19.0 cannot run it"},
}


class Gate(unittest.TestCase):
    def gate(self, current, *args, baseline=BASE):
        """Runs the gate on current against baseline: (exit status, stdout, stderr)."""
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for name, doc in (("current.json", current), ("baseline.json", baseline)):
                paths.append(os.path.join(tmp, name))
                with open(paths[-1], "w") as f:
                    json.dump(doc, f)
            p = subprocess.run([sys.executable, GATE, "--current", paths[0],
                                "--baseline", paths[1]] + list(args),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return p.returncode, p.stdout, p.stderr

    def scaled(self, factor, where=("avx2/f32", "train_epoch")):
        cur = copy.deepcopy(BASE)
        cur["cases"][where[0]][where[1]]["per_call"] *= factor
        return cur

    def test_identical_passes(self):
        rc, out, _ = self.gate(BASE)
        self.assertEqual(rc, 0, out)
        self.assertIn("insn-gate: passed", out)

    def test_over_tolerance(self):
        rc, out, _ = self.gate(self.scaled(1.02))
        self.assertEqual(rc, 1, out)
        self.assertIn("insn-gate: avx2/f32 train_epoch: 1,020,000 instructions, "
                      "baseline 1,000,000 (+2.00% > 1.00%)", out)
        self.assertIn("FAILED", out)

    def test_within_tolerance(self):
        rc, out, _ = self.gate(self.scaled(1.005))
        self.assertEqual(rc, 0, out)
        self.assertIn("+0.50%", out)  # the table shows the change

    def test_tolerance_option(self):
        rc, out, _ = self.gate(self.scaled(1.02), "--tolerance", "3")
        self.assertEqual(rc, 0, out)
        rc, out, _ = self.gate(self.scaled(1.005), "--tolerance", "0.25%")
        self.assertEqual(rc, 1, out)

    def test_slot_over_tolerance(self):
        cur = copy.deepcopy(BASE)
        cur["cases"]["scalar/f32"]["slots"]["update"]["per_call"] = 3_100
        rc, out, _ = self.gate(cur)
        self.assertEqual(rc, 1, out)
        self.assertIn("insn-gate: scalar/f32 update: 3,100 instructions per call, "
                      "baseline 3,000 (+3.33% > 1.00%)", out)

    def test_more_calls_fail(self):
        cur = copy.deepcopy(BASE)
        cur["cases"]["avx2/f32"]["slots"]["forward"]["calls"] = 1300
        rc, out, _ = self.gate(cur)
        self.assertEqual(rc, 1, out)
        self.assertIn("avx2/f32 forward calls: 1,300, baseline 1,216", out)

    def test_shrink_passes_with_note(self):
        rc, out, _ = self.gate(self.scaled(0.95))
        self.assertEqual(rc, 0, out)
        self.assertIn("note: avx2/f32 train_epoch: 950,000 instructions, baseline "
                      "1,000,000 (-5.00%)", out)
        self.assertIn("--update", out)

    def test_missing_case(self):
        cur = copy.deepcopy(BASE)
        del cur["cases"]["scalar/f32"]
        rc, out, _ = self.gate(cur)
        self.assertEqual(rc, 1, out)
        self.assertIn("insn-gate: scalar/f32: in the baseline but not measured", out)
        # and the other way round: a case the baseline lacks
        rc, out, _ = self.gate(BASE, baseline=cur)
        self.assertEqual(rc, 1, out)
        self.assertIn("scalar/f32: measured but not in the baseline: run --update", out)

    def test_missing_slot(self):
        cur = copy.deepcopy(BASE)
        del cur["cases"]["avx2/f32"]["slots"]["update"]
        rc, out, _ = self.gate(cur)
        self.assertEqual(rc, 1, out)
        self.assertIn("avx2/f32 update: in the baseline but not in this run", out)

    def test_toolchain_mismatch(self):
        cur = copy.deepcopy(self.scaled(1.5))
        cur["identity"].update(compiler="GNU 13.2.0", build_type="Debug")
        rc, out, err = self.gate(cur)
        self.assertEqual(rc, 77, out + err)
        self.assertEqual(out, "")  # not a comparison: no false failure
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, err)
        for part in ("GNU 12.2.0", "GNU 13.2.0", "Release", "Debug", "--update"):
            self.assertIn(part, lines[0])

    def test_workload_mismatch(self):
        cur = copy.deepcopy(BASE)
        cur["identity"]["workload"] = {"main": ["--epochs", "3"]}
        rc, _, err = self.gate(cur)
        self.assertEqual(rc, 77, err)
        self.assertIn("workload", err)

    def test_no_baseline(self):
        with tempfile.TemporaryDirectory() as tmp:
            cur = os.path.join(tmp, "current.json")
            with open(cur, "w") as f:
                json.dump(BASE, f)
            p = subprocess.run([sys.executable, GATE, "--current", cur, "--baseline",
                                os.path.join(tmp, "none.json")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 77, p.stderr)
        self.assertIn("--update", p.stderr)

    def test_usage_errors(self):
        for args in (["--tolerance", "x"], ["--tolerance", "-1"], ["--bogus"],
                     ["--jobs", "0"], ["--update", "--current", "x.json"]):
            p = subprocess.run([sys.executable, GATE] + args, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
            self.assertEqual(p.returncode, 2, args)
            self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        rc, _, err = self.gate({"not": "a gate file"})
        self.assertEqual(rc, 2, err)

    def test_help(self):
        p = subprocess.run([sys.executable, GATE, "--help"], stdout=subprocess.PIPE,
                           text=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn("--tolerance", p.stdout)

    def test_no_valgrind_or_binary(self):
        with tempfile.TemporaryDirectory() as tmp:
            common = [sys.executable, GATE, "--out", os.path.join(tmp, "out.json")]
            p = subprocess.run(common + ["--binary", sys.executable, "--valgrind",
                                         os.path.join(tmp, "no-valgrind")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(p.returncode, 77, p.stderr)
            self.assertIn("valgrind not found", p.stderr)
            p = subprocess.run(common + ["--binary", os.path.join(tmp, "mlpbench")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(p.returncode, 77, p.stderr)
            self.assertIn("is not built", p.stderr)


# What valgrind 3.19 prints when the program reaches an AVX-512 instruction.
SIGILL_STDERR = """\
==4242== Callgrind, a call-graph generating cache profiler
vex amd64->IR: unhandled instruction bytes: 0x62 0xF1 0xFD 0x48 0x7F 0x85 0x90 0xFF 0xFF 0xFF
vex amd64->IR:   REX=0 REX.W=0 REX.R=0 REX.X=0 REX.B=0
==4242== valgrind: Unrecognised instruction at address 0x109154.
==4242== Process terminating with default action of signal 4 (SIGILL)
==4242==  Illegal opcode at address 0x109154
"""

# A callgrind file with compressed names, a clone (.part.0) and a call into it.
CALLGRIND = """\
# callgrind format
version: 1
positions: line
events: Ir
fn=(1) main
0 10
cfn=(2) mlp_model_train_epoch
calls=2 0
0 1000
cfn=(3) avx2_forward_f32
calls=3 0
0 300
fn=(2)
0 100
cfn=(3)
calls=5 0
0 500
cfn=(4) helper.part.0
calls=1 0
0 40
fn=(4)
0 30
cfn=(5) helper.part.0.cold
calls=1 0
0 10
"""


class Internals(unittest.TestCase):
    gate = load_gate()

    def test_sigill_is_not_measured(self):
        why = self.gate.valgrind_failure(-4, SIGILL_STDERR)
        self.assertIn("cannot execute it", why)
        self.assertIn("0x62 0xF1", why)
        self.assertIsNone(self.gate.valgrind_failure(1, "==1== some other error\n"))

    def test_refused_set_is_not_measured(self):
        err = ("mlpbench train: error: --set: kernel set 'avx512' needs AVX-512F, which "
               "this CPU lacks (it has: sse2 avx avx2 fma)\n")
        self.assertIn("lacks AVX-512F", self.gate.valgrind_failure(2, err))

    def test_parse_callgrind(self):
        with tempfile.NamedTemporaryFile("w", suffix=".cg", delete=False) as f:
            f.write(CALLGRIND)
        try:
            t = self.gate.parse_callgrind(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(t["mlp_model_train_epoch"], [2, 1000])
        self.assertEqual(t["avx2_forward_f32"], [8, 800])  # summed over call sites
        self.assertEqual(t["helper"], [1, 40])  # the call into its .cold part not again

    def test_parse_list(self):
        text = ("CPU features: sse2 avx avx2 fma\n\n"
                "  set      built on                   precision  this CPU\n"
                "  scalar   C11 (reference)            f32,f64    runs\n"
                "  avx512   AVX-512F                   f32        cannot run\n"
                "* omp      OpenMP on avx2             f32,f64    runs\n")
        sets, features = self.gate.parse_list(text)
        self.assertEqual(features, "sse2 avx avx2 fma")
        self.assertEqual(sets["avx512"], {"built_on": "AVX-512F", "precisions": ["f32"],
                                          "runs": False})
        self.assertEqual(sets["omp"]["built_on"], "OpenMP on avx2")
        self.assertTrue(sets["scalar"]["runs"])


if __name__ == "__main__":
    unittest.main()
