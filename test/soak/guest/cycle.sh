# One boot of the power-cut soak (test/soak/soak.ts): guest/soak.py mounts,
# verifies, runs the workload and cuts the power; with SOAK_DELAY=0 it
# verifies, unmounts and this script exits with its status.
export SOAK_META=/dev/vm/meta SOAK_DATA=/dev/vm/data SOAK_JOURNAL=/dev/vm/journal SOAK_MNT=/mnt/scoutfs
PYTHONHOME=/host/usr PYTHONDONTWRITEBYTECODE=1 \
	/host/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 \
	--library-path /host/lib/x86_64-linux-gnu:/host/usr/lib/x86_64-linux-gnu \
	/host/usr/bin/python3 "$SOAK_PY"
rc=$?
echo "soak: soak.py exited $rc"
exit "$rc"
