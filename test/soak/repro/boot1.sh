# First boot of the eof-tail reproduction (see eof-tail.py).
. "$T_VM/funcs.sh"
. "$T_VM/tests/posix-lib"
t_mkfs --force > /dev/null || exit 1
t_mount 0 commit_interval_ms=300000 || exit 1
posix_py "$T_ROOT/test/soak/repro/eof-tail.py" 1
