# Reproduces a kernel bug the power-cut soak found (README.md, "Power-cut
# soak"): the bytes between a file's EOF and the end of its block are not
# zeroed when the file grows, so whatever the block holds on disk there
# shows as file data.  A power cut leaves such bytes two ways, both shown:
#   - truncate down to mid-block, then a commit (here: an fsync of another
#     file) records the smaller size; the zeroed tail page is not written
#     with it (t-grow, t-pwrite, t-append-grow);
#   - an append is written back (sync_file_range) but its size never
#     commits (t-writeback);
# after the cut, growing the file (truncate up, a write past EOF) shows the
# old bytes instead of zeros.
#   boot 1: python3 eof-tail.py 1   (crashes at the end)
#   boot 2: python3 eof-tail.py 2   (exits 1 if stale bytes show)
# Run: ts-node test/vm/cli.ts run test/soak/repro/boot1.sh --then test/soak/repro/boot2.sh
import ctypes
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
    for name in NAMES + ("t-writeback",):
        p = f"{M}/{name}"
        with open(p, "wb") as f:
            f.write(b"X" * (100 if name == "t-writeback" else 8192))
            f.flush()
            os.fsync(f.fileno())
    for name in NAMES:
        os.truncate(f"{M}/{name}", 100)
    with open(f"{M}/other", "wb") as f:  # commits the truncates, not their zeroed tail pages
        os.fsync(f.fileno())
    print("t-*: 8192 bytes of X, fsync'd, truncated to 100, then another file fsync'd", flush=True)
    fd = os.open(f"{M}/t-writeback", os.O_WRONLY | os.O_APPEND)
    os.write(fd, b"Y" * 50)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.sync_file_range.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    if libc.sync_file_range(fd, 0, 0, 1 | 2 | 4) != 0:
        print("sync_file_range failed", ctypes.get_errno())
    os.close(fd)
    print("t-writeback: 100 bytes of X fsync'd, 50 of Y appended and written back, not committed", flush=True)
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
    print(f"t-writeback: size after the cut {os.stat(f'{M}/t-writeback').st_size}")
    os.truncate(f"{M}/t-writeback", 8192)
    out.append("t-writeback: truncated up to 8192: [100, 4096) " + zeros(f"{M}/t-writeback", 100, 3996))
    print("\n".join(out))
    sys.exit(1 if any("NOT ZEROS" in l for l in out) else 0)
