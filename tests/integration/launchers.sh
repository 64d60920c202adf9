#!/usr/bin/env bash
# The README's launcher recipes, as the launchers run them: Open MPI's mpirun for real (under
# mfu run, -x passing the variables on), torchrun and srun by the variables they give each
# worker (TORCHELASTIC_RUN_ID, RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR/PORT; SLURM_JOB_ID,
# SLURM_STEP_ID, SLURM_PROCID, SLURM_LOCALID, SLURM_NTASKS; PMI_RANK, PMI_SIZE). Every worker
# writes one file named by its job and rank into a shared directory, nodes in directories of
# their own at any depth; mfu report reads the tree as one job of all its ranks, and tells
# separate launches apart.
. "$MFU_ROOT/tests/lib.sh"
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
args=(--layers 2 --hidden 256 --heads 4 --ffn 512 --vocab 1000 --batch 2 --seq 64 --steps 4)
calls=$((4 * 45)) # GEMMs per worker: 4 steps of 45

# report DIR JOB RANKS WORLD: the report of DIR is one job JOB of ranks 0..RANKS-1, each with
# its GEMMs, of world size WORLD.
check_job() {
  "$MFU" report "$1" --json >"$1.json"
  python3 - "$1.json" "$2" "$3" "$4" "$calls" <<'PY' || fail "$1: not the job expected: $(head -c 600 "$1.json")"
import json, sys, re
path, job, ranks, world, calls = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
j = json.load(open(path))
assert re.fullmatch(job, j["job_id"]), (j["job_id"], job)
assert j["ranks"] == ranks and j["files"] == ranks and j["world_size"] == world, (j["ranks"], j["files"], j["world_size"])
assert sorted(r["rank"] for r in j["per_rank"]) == list(range(ranks)), [r["rank"] for r in j["per_rank"]]
assert all(r["gemm_calls"] == calls for r in j["per_rank"]), [r["gemm_calls"] for r in j["per_rank"]]
assert j["totals"]["gemm_calls"] == ranks * calls
assert not any("missing" in w or "separate runs" in w or "twice" in w for w in j["warnings"]), j["warnings"]
PY
}

# --- Open MPI, for real: mfu run -- mpirun -np 3 -x LD_PRELOAD -x NVTX_INJECTION64_PATH
#     -x MFU_TRACE_DIR ... (as root and on 2 cores: --allow-run-as-root --oversubscribe)
if command -v mpirun >/dev/null && mpirun --version 2>/dev/null | grep -q "Open MPI"; then
  mpi=(mpirun --allow-run-as-root --oversubscribe -np 3 -x LD_PRELOAD -x NVTX_INJECTION64_PATH
       -x MFU_TRACE_DIR -x "LD_LIBRARY_PATH=$DOUBLES" -x "ASAN_OPTIONS=$HOST_ASAN")
  for run in 1 2; do
    LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=$HOST_ASAN timeout 120 "$MFU" run --trace-dir shared/mpi -- \
      "${mpi[@]}" "$example" "${args[@]}" \
      >mpi$run.out 2>mpi$run.err || fail "mfu run -- mpirun exited $?: $(tail -5 mpi$run.err)"
    expect_eq "mpirun $run: worker outputs" "$(grep -c '^issued_gemm_calls=180$' mpi$run.out)" 3
    grep -qE "^  ranks     3 of world size 3, 3 trace files$" mpi$run.err ||
      fail "mpirun $run: the summary is not of 3 ranks: $(grep ranks mpi$run.err)"
    id=$(ls -t shared/mpi | head -1 | sed 's/^mfu-\(.*\)-r[0-9]*-.*/\1/')
    want="full report: mfu report $PWD/shared/mpi$([ $run = 1 ] || echo " --job $id")"
    grep -qxF "$want" mpi$run.err ||
      fail "mpirun $run: the summary does not name --job: $(grep 'full report' mpi$run.err)"
  done
  # two launches, two Open MPI job ids, each 3 ranks (OMPI_COMM_WORLD_RANK, _SIZE)
  ids=$(ls shared/mpi | sed 's/^mfu-\(.*\)-r[0-9]*-.*/\1/' | sort -u)
  expect_eq "mpirun: job ids" "$(echo "$ids" | wc -l)" 2
  expect_eq "mpirun: files" "$(ls shared/mpi | wc -l)" 6
  for id in $ids; do
    mkdir -p "mpi-$id" && cp shared/mpi/mfu-"$id"-* "mpi-$id"/
    check_job "mpi-$id" "$id" 3 3
  done
  "$MFU" report shared/mpi --json >mpi.json
  expect_eq "mpirun: the other launch named" "$(json mpi.json other_jobs | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1
else
  echo "no Open MPI mpirun here: its recipe is not run"
fi

# worker NODE-DIR VAR=VALUE...: one worker of a launch, its files in NODE-DIR
worker() {
  local dir=$1; shift
  env "$@" LD_LIBRARY_PATH="$DOUBLES" LD_PRELOAD="$PRELOAD" ASAN_OPTIONS="$HOST_ASAN" \
    NVTX_INJECTION64_PATH="$SHIM" MFU_TRACE_DIR="$PWD/$dir" "$example" "${args[@]}" >/dev/null
}

# --- torchrun on one node: 4 workers of run id "abc123"
for r in 0 1 2 3; do
  worker tr1 TORCHELASTIC_RUN_ID=abc123 RANK=$r LOCAL_RANK=$r WORLD_SIZE=4 LOCAL_WORLD_SIZE=4 \
    GROUP_RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 &
done
wait
check_job tr1 abc123 4 4
ls tr1 | grep -qE '^mfu-abc123-r3-[^-]+-[0-9]+\.mfutrace$' || fail "torchrun: file names: $(ls tr1)"

# --- torchrun on 2 nodes (--rdzv-id run7), each writing under its own directory of a shared
#     tree, 3 levels down: ranks 0-1 on node 0, 2-3 on node 1
for r in 0 1 2 3; do
  node=$((r / 2))
  worker "tree/nodes/node$node/run7" TORCHELASTIC_RUN_ID=run7 RANK=$r LOCAL_RANK=$((r % 2)) \
    WORLD_SIZE=4 GROUP_RANK=$node MASTER_ADDR=node0 MASTER_PORT=29500 &
done
wait
check_job tree run7 4 4

# --- torchrun without --rdzv-id: TORCHELASTIC_RUN_ID=none for every such job; the rendezvous
#     endpoint names the launch, and two launches on two ports stay apart
for port in 29500 29501; do
  for r in 0 1; do
    worker none TORCHELASTIC_RUN_ID=none RANK=$r LOCAL_RANK=$r WORLD_SIZE=2 MASTER_ADDR=node0 \
      MASTER_PORT=$port &
  done
  wait
done
"$MFU" report none --json >none.json
python3 - <<'PY' || fail "torchrun without --rdzv-id: $(head -c 400 none.json)"
import json
j = json.load(open("none.json"))
assert j["job_id"] in ("torchrun-node0-29500", "torchrun-node0-29501"), j["job_id"]
assert len(j["other_jobs"]) == 1 and j["ranks"] == 2, (j["other_jobs"], j["ranks"])
PY
mkdir -p none1 && cp none/mfu-torchrun-node0-29501-* none1/
check_job none1 torchrun-node0-29501 2 2

# --- srun --ntasks 4: step 0 of job 4242 (SLURM_PROCID the rank); a second srun of the same
#     allocation is step 1, a job of its own
for step in 0 1; do
  for r in 0 1 2 3; do
    worker "slurm/$(hostname)" SLURM_JOB_ID=4242 SLURM_STEP_ID=$step SLURM_PROCID=$r \
      SLURM_LOCALID=$r SLURM_NTASKS=4 SLURM_NNODES=1 &
  done
  wait
done
mkdir -p slurm0 && cp slurm/*/mfu-4242.0-* slurm0/
check_job slurm0 '4242\.0' 4 4
"$MFU" report slurm --json >slurm.json
expect_eq "srun: the later step" "$(json slurm.json job_id)" 4242.1
expect_eq "srun: the other step" "$(json slurm.json other_jobs.0)" 4242.0

# --- MPICH / Intel MPI (Hydra): PMI_RANK and PMI_SIZE, with MFU_JOB_ID naming the job
for r in 0 1; do worker pmi MFU_JOB_ID=hydra1 PMI_RANK=$r PMI_SIZE=2 & done
wait
check_job pmi hydra1 2 2
echo "launchers.sh: all passed"
