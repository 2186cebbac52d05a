# The server of a mount (quorum_slot_nr=0) on 127.0.0.1 talks to a
# userspace client built on the generated codecs (tools/net-client.js):
# a greeting with another format hash or fsid is refused and the kernel
# log names both values; requests before a greeting are refused;
# malformed messages (unknown command, short payload, non-zero pad, an
# error in a request, unknown flags, a payload over the maximum, a
# payload breaking its struct's rules) and a response to nothing are
# dropped and counted, and the connection stays in step: a correct
# greeting then gets its reply, and statfs and the last seq are served.
# The mount keeps working throughout.  The client's own verdict on each
# message it sends is the sentence the kernel logs when it drops it.
t_expect_dmesg "mounted fsid"
t_expect_dmesg "unmounted"
t_mkfs --force > /dev/null
t_rc t_mount
ours=$(node "$T_VM/tools/net-client.js" hash)
client() {
	node "$T_VM/tools/net-client.js" 127.0.0.1 12345 "$T_META" "$@"
}

echo "== another format hash, another fsid: refused"
t_expect_dmesg "format hash 0123456789abcdef differs from ours $ours: refused"
t_expect_dmesg "greeted with fsid 00000000000000aa, ours is"
client greet-hash 0123456789abcdef greet-fsid aa statfs

echo "== malformed messages are dropped and counted"
t_expect_dmesg "dropped malformed message 1 from 127.0.0.1:"
t_expect_dmesg ": cmd is not a known command (value 99)"
t_expect_dmesg ": GREETING request payload is not 40 bytes (value 10)"
t_expect_dmesg ": _pad is not zero (value 1)"
t_expect_dmesg ": request carries an error (value 3)"
t_expect_dmesg ": flags has bits outside NET_FLAG_RESPONSE (0x1) (value 128)"
t_expect_dmesg ": data_len above NET_MAX_DATA_LEN (1100) (value 2000)"
t_expect_dmesg ": new_mode above LockMode.WRITE_ONLY (3) (value 9)"
t_expect_dmesg "dropped malformed message 8 from 127.0.0.1:"
t_expect_dmesg ": response to no waiting request (value 12345)"
t_expect_dmesg "asked for a lock on zone 0 first 0 type 0: not a zone that locks cover; refused"
client bad unknown-cmd bad short-greeting bad header-pad bad request-error \
	bad unknown-flags bad too-long bad bad-lock-mode bad stray-response \
	greet statfs last-seq lock farewell

echo "== a message cut short: the connection ends, nothing is dropped"
client raw half-header 0102030405

echo "== the mount still works"
t_rc touch "$T_MNT/after"
ls "$T_MNT"
stat -f -c 'type=%T bsize=%S' "$T_MNT"
t_rc t_umount
t_pass
