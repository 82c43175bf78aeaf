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
#              --batch 1 on 2 ranks: exit 2
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
    echo "ok   usage errors under mpirun: status 2, said once"
    ;;
  *) echo "test_mpi.sh: unknown case '$case_name'" >&2; exit 2 ;;
esac
