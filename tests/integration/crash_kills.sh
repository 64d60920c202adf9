# SIGKILL at random moments of a workload under the shim (tests/tools/kill_loop.py): every
# block written before the kill is read, the file is marked incomplete, and the calls lost are
# the last ones, within one flush interval of the kill. MFU_KILLS kills (50 here; make stress
# runs 500), seeded by MFU_KILL_SEED, so that a failure can be replayed.
. "$MFU_ROOT/tests/lib.sh"
HOST=$BIN/host MFU=$MFU SHIM=$PRELOAD ASAN_OPTIONS=$HOST_ASAN DOUBLES=$DOUBLES python3 "$MFU_ROOT/tests/tools/kill_loop.py" \
  "${MFU_KILLS:-50}" "${MFU_KILL_SEED:-15}" 100 0.6 "$PWD" | tee kills.txt
echo "ok: $(grep -c . kills.txt) figures"
