#!/bin/sh
# test_mpi.sh CASE MPIRUN MLPBENCH: one ctest case of the MPI build (label mpi), every
# mpirun under `timeout` so that a hang fails instead of waiting:
#   lines-N    train --batch B on N ranks prints exactly the single-process lines
#              (several argument sets, text and JSON, --verify-ranks: the weights of all
#              ranks hashed equal after every step)
#   bad-rank   one rank of two is given a missing data folder: exit 1, the rank's
#              one-line message, no hang
#   disagree   ranks given different --batch: exit 1 and the message, no hang
#   usage      a bad value under mpirun: exit 2, the message printed once (rank 0);
#              --batch 1 on 2 ranks: exit 2; bench --ranks beyond the ranks started: 1;
#              bench --scaling weak whose batch outgrows the training set: 2
#   scaling    bench --scaling strong,weak --mpi-probe on 2 ranks: one mpi-scaling file
#              with both modes' cases on 1 and 2 ranks, every rank's samples and context,
#              the probe's alpha and beta; compare refuses it (status 1); tools/mpi-model
#              reads it
#   independent  bench --independent on 2 ranks: one ordinary result file per rank,
#              each naming its rank, that compare reads (status 0 or 3, not 1)
set -u
case_name=$1 mpirun=$2 mlp=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1 # ranks share the cores: one thread each (mpirun passes it on)
run() { timeout 120 "$mpirun" --oversubscribe --allow-run-as-root -q "$@"; }
fail() { echo "FAIL $case_name: $*"; exit 1; }

lines() { # N ARGS...: the N-rank run's stdout equals the single-process run's
  n=$1; shift
  "$mlp" train "$@" >"$tmp/one" 2>"$tmp/one.err" || fail "single process: $(cat "$tmp/one.err")"
  [ -s "$tmp/one" ] || fail "single process printed nothing"
  run -np "$n" "$mlp" train --verify-ranks "$@" >"$tmp/many" 2>"$tmp/many.err" \
    || fail "$n ranks, train $*: status $?: $(head -n 3 "$tmp/many.err")"
  # JSON lines carry each run's own timings: drop them, compare everything else
  sed -i 's/"[a-z_]*seconds":[-0-9.e+]*,\{0,1\}//g' "$tmp/one" "$tmp/many"
  cmp -s "$tmp/one" "$tmp/many" || { diff "$tmp/one" "$tmp/many" | head; fail "$n ranks, train $*: lines differ"; }
  echo "ok   $n ranks = 1 process ($(wc -l <"$tmp/one") lines): train $*"
}

case "$case_name" in
  lines-*)
    n=${case_name#lines-}
    lines "$n" --batch 100 --epochs 4 --test-every 1 --test-count 500
    lines "$n" --batch 64 --micro-batch 5 --dropout --epochs 3 --test-every 1 --test-count 300 \
          --precision f32
    lines "$n" --batch 250 --micro-batch 7 --hidden 60 --epochs 2 --test-count 300 --set scalar \
          --relu-grad strict --format json
    ;;
  bad-rank)
    run -np 1 "$mlp" train --batch 10 --epochs 2 : -np 1 "$mlp" train --batch 10 --epochs 2 \
        --data "$tmp/missing" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 1 ] || fail "status $rc, expected 1 ($(head -n 3 "$tmp/err"))"
    n=$(grep -c '^mlpbench train: error: rank 1 of 2: .*missing' "$tmp/err")
    [ "$n" = 1 ] || fail "expected one line from rank 1 naming the folder, got: $(cat "$tmp/err")"
    echo "ok   a rank without its data: status 1, $(grep '^mlpbench' "$tmp/err")"
    ;;
  disagree)
    run -np 1 "$mlp" train --batch 10 --epochs 2 : -np 1 "$mlp" train --batch 20 --epochs 2 \
        >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 1 ] || fail "status $rc, expected 1"
    grep -q 'ranks do not all run the same workload' "$tmp/err" || fail "no message: $(cat "$tmp/err")"
    echo "ok   ranks with other options: status 1, one message"
    ;;
  usage)
    run -np 2 "$mlp" train --micro-batch 0 >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 2 ] || fail "--micro-batch 0: status $rc, expected 2"
    n=$(grep -c '^mlpbench train: error: --micro-batch' "$tmp/err")
    [ "$n" = 1 ] || fail "--micro-batch 0: the message $n times, expected once: $(cat "$tmp/err")"
    run -np 2 "$mlp" train --epochs 2 >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 2 ] || fail "--batch 1 on 2 ranks: status $rc, expected 2"
    grep -q 'on 2 ranks --batch must be at least 2' "$tmp/err" || fail "no message: $(cat "$tmp/err")"
    run -np 2 "$mlp" bench --scaling strong --batch 10 --ranks 3 --no-save >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 1 ] || fail "--ranks 3 on 2 ranks: status $rc, expected 1"
    n=$(grep -c 'more ranks than mpirun started' "$tmp/err")
    [ "$n" = 1 ] || fail "--ranks 3 on 2 ranks: the message $n times: $(cat "$tmp/err")"
    run -np 2 "$mlp" bench --scaling weak --batch 600 --no-save >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 2 ] || fail "weak scaling past the training set: status $rc, expected 2"
    n=$(grep -c 'a batch of 1200 rows, but --train-count is 1000' "$tmp/err")
    [ "$n" = 1 ] || fail "weak scaling past the training set: the message $n times: $(cat "$tmp/err")"
    echo "ok   usage errors under mpirun: status 2, said once"
    ;;
  scaling)
    run -np 2 "$mlp" bench --scaling strong,weak --batch 50 --set scalar --epochs 2 \
        --warmup 0 --train-count 200 --mpi-probe --out "$tmp/s.json" >"$tmp/out" 2>"$tmp/err" \
      || fail "status $?: $(head -n 3 "$tmp/err")"
    python3 - "$tmp/s.json" <<'PY' || fail "the result file is not right"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "mpi-scaling" and d["schema_version"] == 3, "kind/schema"
assert d["context"]["ranks"] == 2 and len(d["context"]["ranks_context"]) == 2, "contexts"
assert [c["rank"] for c in d["context"]["ranks_context"]] == [0, 1], "context ranks"
cases = [(c["mode"], c["ranks"], c["batch"]) for c in d["cases"]]
assert cases == [("strong", 1, 50), ("strong", 2, 50), ("weak", 1, 50), ("weak", 2, 100)], cases
for c in d["cases"]:
    assert len(c["per_rank"]) == c["ranks"], "per-rank samples"
    for r in c["per_rank"]:
        assert len(r["epoch_seconds"]) == 2 and all(t > 0 for t in r["epoch_seconds"]), r
        assert all(0 <= x <= t for x, t in zip(r["comm_seconds"], r["epoch_seconds"])), r
    assert c["steps_per_epoch"] == -(-200 // c["batch"]), "steps"
    assert (c["comm_seconds"] > 0) == (c["ranks"] > 1), "communication only on 2 ranks"
    assert c["wait_seconds"] >= 0 and all(len(r["wait_seconds"]) == 2 for r in c["per_rank"]), c
p = d["probe"]
assert p["alpha_seconds"] > 0 and p["beta_seconds_per_byte"] > 0, p
print("ok   scaling file:", cases, "alpha %.2f us" % (p["alpha_seconds"] * 1e6))
PY
    grep -q '^strong scaling' "$tmp/out" && grep -q '^weak scaling' "$tmp/out" || fail "no tables"
    model=$(dirname "$0")/../../tools/mpi-model
    python3 "$model" "$tmp/s.json" --sizes 40:50 --ranks 1,2,1024 >"$tmp/model" 2>"$tmp/err" \
      || fail "tools/mpi-model: status $?: $(cat "$tmp/err")"
    grep -q '^model against' "$tmp/model" || fail "tools/mpi-model printed no comparison"
    echo "ok   tools/mpi-model reads it"
    "$mlp" compare "$tmp/s.json" "$tmp/s.json" >/dev/null 2>"$tmp/err"
    rc=$?
    [ "$rc" = 1 ] && grep -q 'an MPI scaling result' "$tmp/err" || fail "compare: status $rc: $(cat "$tmp/err")"
    echo "ok   compare refuses an mpi-scaling file: $(cat "$tmp/err")"
    ;;
  independent)
    mkdir "$tmp/res"
    run -np 2 "$mlp" bench --independent --sets scalar --epochs 1 --repetitions 2 --no-peak \
        --no-numpy --check-epochs 1 --quiet --train-count 100 --test-count 100 \
        --out "$tmp/res" >"$tmp/out" 2>"$tmp/err" || fail "status $?: $(head -n 3 "$tmp/err")"
    set -- "$tmp"/res/*-rank0-*.json "$tmp"/res/*-rank1-*.json
    [ -f "$1" ] && [ -f "$2" ] || fail "expected a file per rank, got: $(ls "$tmp/res")"
    for r in 0 1; do
      f=$(ls "$tmp"/res/*-rank$r-*.json)
      python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["context"]["mpi"]["rank"] == int(sys.argv[2]) and d["cases"]' "$f" $r \
        || fail "$f does not name rank $r"
    done
    "$mlp" compare "$1" "$2" >/dev/null 2>"$tmp/err"
    rc=$?
    [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail "compare of the two ranks' files: status $rc: $(cat "$tmp/err")"
    echo "ok   one ordinary result file per rank, compared (status $rc)"
    ;;
  *) echo "test_mpi.sh: unknown case '$case_name'" >&2; exit 2 ;;
esac
