# Second boot of the eof-tail reproduction (see eof-tail.py).
. "$T_VM/funcs.sh"
. "$T_VM/tests/posix-lib"
scoutfs check "$T_META" "$T_DATA" | tail -1
t_mount 0 commit_interval_ms=300000 || exit 1
posix_py "$T_ROOT/test/soak/repro/eof-tail.py" 2
rc=$?
cd / && t_umount
exit $rc
