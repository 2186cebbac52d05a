# Reproduces a kernel bug the power-cut soak found (test/soak/README.md):
# after a truncate down to the middle of a block, a commit records the new
# size while the block on disk still holds the old bytes past it; after a
# power cut, growing the file (truncate up, a write past EOF) shows those
# old bytes between the old EOF and the end of its block instead of zeros.
#   boot 1: python3 eof-tail.py 1   (writes, truncates, waits for the timer commit, crashes)
#   boot 2: python3 eof-tail.py 2   (grows the files, exits 1 if stale bytes show)
# Run: ts-node test/vm/cli.ts run test/soak/repro/boot1.sh --then test/soak/repro/boot2.sh
import os
import sys
import time

M = "/mnt/scoutfs"
NAMES = ("t-grow", "t-pwrite", "t-append-grow")


def zeros(p, off, n):
    with open(p, "rb") as f:
        f.seek(off)
        b = f.read(n)
    bad = [i for i, c in enumerate(b) if c]
    return "zeros" if not bad else f"NOT ZEROS: {len(bad)} of {len(b)} bytes from {off + bad[0]}, e.g. {b[bad[0]:bad[0] + 8]!r}"


if sys.argv[1] == "1":
    for name in NAMES:
        p = f"{M}/{name}"
        with open(p, "wb") as f:
            f.write(b"X" * 8192)
            f.flush()
            os.fsync(f.fileno())
        os.truncate(p, 100)
    print("wrote 8192 bytes of X, fsync'd, truncated to 100; waiting for the timer commit", flush=True)
    time.sleep(2)
    os.system("vm-crash")
    time.sleep(60)
else:
    for name in NAMES:
        p = f"{M}/{name}"
        print(f"{name}: size after the cut {os.stat(p).st_size}")
    out = []
    os.truncate(f"{M}/t-grow", 8192)
    out.append("t-grow: truncated up to 8192: [100, 4096) " + zeros(f"{M}/t-grow", 100, 3996))
    fd = os.open(f"{M}/t-pwrite", os.O_WRONLY)
    os.pwrite(fd, b"P", 6000)
    os.close(fd)
    out.append("t-pwrite: wrote 1 byte at 6000: [100, 4096) " + zeros(f"{M}/t-pwrite", 100, 3996))
    fd = os.open(f"{M}/t-append-grow", os.O_WRONLY | os.O_APPEND)
    os.write(fd, b"A" * 10)
    os.close(fd)
    os.truncate(f"{M}/t-append-grow", 8192)
    out.append("t-append-grow: appended 10, truncated up to 8192: [110, 4096) " + zeros(f"{M}/t-append-grow", 110, 3986))
    print("\n".join(out))
    sys.exit(1 if any("NOT ZEROS" in l for l in out) else 0)
