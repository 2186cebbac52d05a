# The fuzzer's guest driver: one python process per boot runs many cases.
#   driver.py DIR
# DIR (the host's case directory over 9p) holds base-meta.img and
# base-data.img (the populated volume), patches.bin (64 KiB blocks) and
# cases.txt, one case a line: "ID N BLKNO:SLOT ..." (block BLKNO of the
# metadata image becomes block SLOT of patches.bin).
#
# Per case: fresh sparse images in tmpfs (the base plus the case's patched
# blocks) on two loop devices, mount, a fixed workload, umount, and one JSON
# line in /results/cases.jsonl: every operation that failed with its errno,
# the kernel lines the case logged, mount/umount results, hangs.  Every
# operation has a time bound: an interruptible hang is cut by SIGALRM; an
# uninterruptible one is seen by a watchdog thread, which records the case,
# dumps the blocked tasks (sysrq w), saves the results and tells the shell
# wrapper (marker /tmp/fuzz-hung) to power off.  At the end: rmmod.
import ctypes
import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time

DIR = sys.argv[1]
OP_BOUND = int(os.environ.get("FUZZ_OP_BOUND", "15"))
HARD_BOUND = OP_BOUND + 10
LG = 65536
MNT = "/mnt/fuzz"
META_IMG = "/tmp/fuzz-meta.img"
DATA_IMG = "/tmp/fuzz-data.img"
LOOP_META = "/dev/loop0"
LOOP_DATA = "/dev/loop1"
LOOP_SET_FD = 0x4C00
LOOP_CLR_FD = 0x4C01
RESULTS = "/results/cases.jsonl"
MAX_ENTRIES = 400
MAX_DEPTH = 8
READ_BYTES = 128 * 1024
# first_data_blkno (64) 4 KiB blocks
DATA_PREFIX = 64 * 4096

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]


class OpTimeout(Exception):
    pass


def on_alarm(signum, frame):
    raise OpTimeout()


signal.signal(signal.SIGALRM, on_alarm)

# what the main thread is doing, for the watchdog: [case id, op, start]
current = [None, None, 0.0]
case_rec = {}
lock = threading.Lock()
results_fd = None


def console(msg):
    # the console (init tees the script's output there): the host's last word
    # on which case was running when a guest died
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def drain_dmesg():
    r = subprocess.run(["sh", "-c", ". /etc/vmlib.sh; vm_dmesg_drain"], stdout=subprocess.PIPE)
    return r.stdout.decode("utf8", "replace")


def save_results():
    subprocess.run(["sh", "-c", ". /etc/vmlib.sh; vm_save_results"])


def write_record(rec):
    os.write(results_fd, (json.dumps(rec) + "\n").encode())
    os.fsync(results_fd)


def watchdog():
    while True:
        time.sleep(1)
        with lock:
            cid, op, start = current
            if cid is None or time.time() - start < HARD_BOUND:
                continue
            rec = case_rec
            rec["hang"] = {"op": op, "seconds": round(time.time() - start, 1), "interruptible": False}
            try:
                with open("/proc/sysrq-trigger", "w") as f:
                    f.write("w")
            except OSError:
                pass
            time.sleep(1)
            rec["dmesg"] = rec.get("dmesg", "") + drain_dmesg()
            rec["done"] = False
            write_record(rec)
            console(f"fuzz-case {cid} HUNG in {op}")
            save_results()
            open("/tmp/fuzz-hung", "w").close()
            # the main thread is stuck in the kernel: only the shell goes on
            while True:
                time.sleep(3600)


def op(name, fn, *args):
    """Run one bounded operation; record its errno on failure. Returns its value or None."""
    with lock:
        current[1] = name
        current[2] = time.time()
    signal.alarm(OP_BOUND)
    try:
        return fn(*args)
    except OpTimeout:
        case_rec.setdefault("timeouts", []).append(name)
        return None
    except OSError as e:
        case_rec.setdefault("errors", []).append([name, e.errno])
        return None
    except (ValueError, UnicodeError) as e:
        case_rec.setdefault("errors", []).append([name, "python " + type(e).__name__ + ": " + str(e)[:80]])
        return None
    finally:
        signal.alarm(0)


def sys_mount(src, dst, fstype, opts):
    if libc.mount(src.encode(), dst.encode(), fstype.encode(), 0, opts.encode()) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def sys_umount(dst):
    if libc.umount2(dst.encode(), 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def nonzero_chunks(path):
    """(offset, bytes) of the non-zero 64 KiB chunks of a sparse image."""
    out = []
    zero = bytes(LG)
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        off = 0
        while off < size:
            b = f.read(LG)
            if not b:
                break
            if b != zero[: len(b)]:
                out.append((off, b))
            off += len(b)
    return size, out


def make_image(path, size, chunks, patches):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.ftruncate(fd, size)
    for off, b in chunks:
        os.pwrite(fd, b, off)
    for off, b in patches:
        os.pwrite(fd, b, off)
    os.close(fd)


def loop_attach(loop, path):
    lfd = os.open(loop, os.O_RDWR)
    ffd = os.open(path, os.O_RDWR)
    try:
        import fcntl

        fcntl.ioctl(lfd, LOOP_SET_FD, ffd)
    finally:
        os.close(ffd)
        os.close(lfd)


def loop_detach(loop):
    import fcntl

    lfd = os.open(loop, os.O_RDWR)
    try:
        fcntl.ioctl(lfd, LOOP_CLR_FD, 0)
    finally:
        os.close(lfd)


def read_file(p):
    fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        n = 0
        while n < READ_BYTES:
            b = os.read(fd, 65536)
            if not b:
                break
            n += len(b)
        size = os.fstat(fd).st_size
        if size > READ_BYTES:
            os.pread(fd, 4096, max(0, size - 4096))
    finally:
        os.close(fd)


def xattrs(p):
    for name in os.listxattr(p, follow_symlinks=False):
        os.getxattr(p, name, follow_symlinks=False)


def walk(root):
    """lstat, readdir, readlink, read and xattrs of everything, bounded."""
    seen = 0
    stack = [(root, 0)]
    while stack and seen < MAX_ENTRIES:
        d, depth = stack.pop()
        names = op("readdir " + d, os.listdir, d)
        if names is None:
            continue
        for n in sorted(names):
            seen += 1
            if seen >= MAX_ENTRIES:
                break
            p = os.path.join(d, n)
            st = op("lstat " + p, os.lstat, p)
            op("listxattr " + p, xattrs, p)
            if st is None:
                continue
            fmt = st.st_mode & 0o170000
            if fmt == 0o040000 and depth < MAX_DEPTH:
                stack.append((p, depth + 1))
            elif fmt == 0o100000:
                op("read " + p, read_file, p)
            elif fmt == 0o120000:
                op("readlink " + p, os.readlink, p)
                op("stat " + p, os.stat, p)


def write_new(p, n):
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, b"n" * n)
        os.fsync(fd)
    finally:
        os.close(fd)


def append(p):
    fd = os.open(p, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, b"appended\n")
    finally:
        os.close(fd)


def overwrite(p):
    fd = os.open(p, os.O_WRONLY | os.O_NOFOLLOW)
    try:
        size = os.fstat(fd).st_size
        os.pwrite(fd, b"o" * 4096, 0)
        if size > 8192:
            os.pwrite(fd, b"m" * 4096, min(size // 2, 1 << 30))
    finally:
        os.close(fd)


def remove_all(root):
    """Remove every xattr, then every entry, bottom up, bounded."""
    seen = 0
    order = []
    stack = [(root, 0)]
    while stack and seen < MAX_ENTRIES:
        d, depth = stack.pop()
        names = op("readdir " + d, os.listdir, d)
        if names is None:
            continue
        for n in sorted(names):
            seen += 1
            p = os.path.join(d, n)
            st = op("lstat " + p, os.lstat, p)
            if st is None:
                continue
            fmt = st.st_mode & 0o170000
            if fmt == 0o100000:
                op("overwrite " + p, overwrite, p)
            names_x = op("listxattr " + p, lambda: os.listxattr(p, follow_symlinks=False)) or []
            for x in names_x:
                op("removexattr " + p + " " + x, lambda: os.removexattr(p, x, follow_symlinks=False))
            if fmt == 0o040000 and depth < MAX_DEPTH:
                stack.append((p, depth + 1))
            order.append((p, fmt == 0o040000))
    for p, isdir in reversed(order):
        op(("rmdir " if isdir else "unlink ") + p, os.rmdir if isdir else os.unlink, p)


def workload():
    m = MNT
    walk(m)
    op("statvfs", os.statvfs, m)
    op("write new", write_new, m + "/fuzz-new", 100000)
    op("append small", append, m + "/small")
    op("truncate big down", os.truncate, m + "/big", 5000)
    op("truncate holes up", os.truncate, m + "/holes", 20 << 20)
    op("truncate prealloc 0", os.truncate, m + "/prealloc", 0)
    op("setxattr small", os.setxattr, m + "/fuzz-new", "user.new", b"x" * 20)
    op("setxattr 64k", os.setxattr, m + "/small", "user.huge", b"h" * 65536)
    op("replace xattr", os.setxattr, m + "/small", "user.small", b"r" * 30)
    op("removexattr small", os.removexattr, m + "/small", "user.two")
    op("removexattr big", os.removexattr, m + "/big", "user.big")
    op("removexattr dir", os.removexattr, m + "/d1", "user.dir")
    op("rename file", os.rename, m + "/small", m + "/d1/small-moved")
    op("rename dir", os.rename, m + "/d1/d2", m + "/empty/d2")
    op("rename over", os.rename, m + "/d1/f1", m + "/d1/f2")
    op("unlink", os.unlink, m + "/d1/big-link")
    op("unlink symlink", os.unlink, m + "/long-link")
    op("unlink file", os.unlink, m + "/holes")
    op("rmdir", os.rmdir, m + "/empty/d2/d3")
    op("mkdir", os.mkdir, m + "/fuzz-dir")
    op("symlink", os.symlink, "x" * 3000, m + "/fuzz-dir/fuzz-link")
    op("link", os.link, m + "/fuzz-new", m + "/fuzz-dir/fuzz-hard")
    op("sync", os.sync)
    walk(m)
    remove_all(m)
    op("sync again", os.sync)


def run_case(line):
    global case_rec
    parts = line.split()
    cid = parts[0]
    patches = []
    with open(os.path.join(DIR, "patches.bin"), "rb") as pf:
        for p in parts[2:]:
            blk, slot = p.split(":")
            pf.seek(int(slot) * LG)
            patches.append((int(blk) * LG, pf.read(LG)))
    rec = {"id": cid}
    with lock:
        case_rec = rec
        current[0] = cid
        current[1] = "setup"
        current[2] = time.time()
    console(f"fuzz-case {cid} start")
    t0 = time.time()
    make_image(META_IMG, META_SIZE, META_CHUNKS, patches)
    make_image(DATA_IMG, DATA_SIZE, DATA_CHUNKS, [])
    loop_attach(LOOP_META, META_IMG)
    loop_attach(LOOP_DATA, DATA_IMG)
    drain_dmesg()
    r = op("mount", sys_mount, LOOP_DATA, MNT, "scoutfs", f"metadev_path={LOOP_META},quorum_slot_nr=0")
    mounted = "errors" not in rec and "timeouts" not in rec
    rec["mount"] = "ok" if mounted else "refused"
    if mounted:
        workload()
        n = len(rec.get("errors", [])) + len(rec.get("timeouts", []))
        op("umount", sys_umount, MNT)
        umounted = len(rec.get("errors", [])) + len(rec.get("timeouts", [])) == n
        rec["umount"] = "ok" if umounted else "failed"
        if not umounted:
            # try once more lazily so the next case can go on
            op("umount lazy", lambda: libc.umount2(MNT.encode(), 2))
    with lock:
        current[0] = None
    rec["dmesg"] = drain_dmesg()
    detached = True
    for lp in (LOOP_META, LOOP_DATA):
        try:
            loop_detach(lp)
        except OSError as e:
            rec.setdefault("errors", []).append(["loop detach " + lp, e.errno])
            detached = False
    # the kernel must never write the data device below first_data_blkno (its super block is there)
    with open(DATA_IMG, "rb") as f:
        now = f.read(DATA_PREFIX)
    if now != DATA_BASE_PREFIX:
        bad = [i for i in range(0, DATA_PREFIX, 4096) if now[i : i + 4096] != DATA_BASE_PREFIX[i : i + 4096]]
        rec["data_prefix_written"] = [i // 4096 for i in bad]
    rec["seconds"] = round(time.time() - t0, 2)
    rec["done"] = True
    write_record(rec)
    del r
    return detached and rec.get("umount", "ok") == "ok"


def main():
    global results_fd, META_SIZE, META_CHUNKS, DATA_SIZE, DATA_CHUNKS
    results_fd = os.open(RESULTS, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.makedirs(MNT, exist_ok=True)
    META_SIZE, META_CHUNKS = nonzero_chunks(os.path.join(DIR, "base-meta.img"))
    DATA_SIZE, DATA_CHUNKS = nonzero_chunks(os.path.join(DIR, "base-data.img"))
    global DATA_BASE_PREFIX
    with open(os.path.join(DIR, "base-data.img"), "rb") as f:
        DATA_BASE_PREFIX = f.read(DATA_PREFIX)
    threading.Thread(target=watchdog, daemon=True).start()
    with open(os.path.join(DIR, "cases.txt")) as f:
        lines = [l for l in f.read().split("\n") if l.strip()]
    n = 0
    for line in lines:
        ok = run_case(line)
        n += 1
        if n % 20 == 0:
            save_results()
        if not ok:
            console("fuzz: a case left its mount or loop devices behind; ending this boot")
            break
    else:
        r = subprocess.run(["rmmod", "scoutfs"], stderr=subprocess.PIPE)
        with open("/results/rmmod", "w") as f:
            f.write(f"{r.returncode} {r.stderr.decode('utf8', 'replace').strip()}\n")
    os.close(results_fd)


main()
