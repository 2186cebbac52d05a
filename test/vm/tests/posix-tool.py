# System calls the posix-* scenarios need and busybox lacks (renameat2,
# xattrs, fallocate, statx birth time, telldir/seekdir, mmap, O_TMPFILE,
# truncate times, st_blocks while open, RLIMIT_FSIZE with SIGXFSZ),
# each printing a stable one-line result.  Run by posix_tool in posix-lib.
#   python3 posix-tool.py CMD ARGS...
#   python3 posix-tool.py - < commands   (one "CMD ARGS..." per line, as
#                                         the shell would split it; starting
#                                         python once for many is much faster)
import ctypes
import errno
import hashlib
import mmap
import os
import random
import resource
import shlex
import signal
import socket
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2


def ename(e):
    return errno.errorcode.get(e, str(e))


def libc_call(fn, *args):
    if fn(*args) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def renameat2(old, new, flags):
    libc_call(libc.renameat2, AT_FDCWD, old.encode(), AT_FDCWD, new.encode(), flags)


def pattern(n, seed):
    """n deterministic bytes."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}.{i}".encode()).digest()
        i += 1
    return bytes(out[:n])


def digest(b):
    return hashlib.md5(b).hexdigest()[:12]


XFLAGS = {"0": 0, "create": os.XATTR_CREATE, "replace": os.XATTR_REPLACE}


def op(name, args):
    """Run one operation; returns a result string on success."""
    a = args
    if name == "mkdir":
        os.mkdir(a[0])
    elif name == "rmdir":
        os.rmdir(a[0])
    elif name == "unlink":
        os.unlink(a[0])
    elif name == "rename":
        renameat2(a[0], a[1], 0)
    elif name == "noreplace":
        renameat2(a[0], a[1], RENAME_NOREPLACE)
    elif name == "exchange":
        renameat2(a[0], a[1], RENAME_EXCHANGE)
    elif name == "link":
        os.link(a[0], a[1])
    elif name == "symlink":
        os.symlink(a[0], a[1])
    elif name == "creat":
        os.close(os.open(a[0], os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    elif name == "open":
        os.close(os.open(a[0], os.O_RDONLY))
    elif name == "openw":
        os.close(os.open(a[0], os.O_WRONLY))
    elif name == "mount":
        # mount SRC DIR FLAGS DATA: mount(2) itself (mount(8) retries
        # read-only when a device is); FLAGS: 0, or ro and/or remount
        bits = {"ro": 1, "remount": 32}
        flags = sum(bits[f] for f in a[2].split(",") if f != "0")
        libc_call(libc.mount, a[0].encode(), a[1].encode(), b"scoutfs",
                  ctypes.c_ulong(flags), a[3].encode())
    elif name == "sock":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(a[0])
        s.close()
    elif name == "truncate":
        os.truncate(a[0], int(a[1]))
    elif name == "ftruncate":
        fd = os.open(a[0], os.O_WRONLY)
        try:
            os.ftruncate(fd, int(a[1]))
        finally:
            os.close(fd)
    elif name == "pwrite":
        fd = os.open(a[0], os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.pwrite(fd, pattern(int(a[2]), a[3] if len(a) > 3 else "p"), int(a[1]))
        finally:
            os.close(fd)
    elif name == "fallocate":
        fd = os.open(a[0], os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            mode = {"0": 0, "keep": 1, "punch": 3}[a[1]]
            libc_call(libc.fallocate, fd, mode, ctypes.c_long(int(a[2])), ctypes.c_long(int(a[3])))
        finally:
            os.close(fd)
    elif name in ("setx", "lsetx"):
        # setx PATH NAME LEN SEED FLAGS (lsetx: of a symlink itself)
        os.setxattr(a[0], a[1], pattern(int(a[2]), a[3]), XFLAGS[a[4]],
                    follow_symlinks=name == "setx")
    elif name in ("getx", "lgetx"):
        v = os.getxattr(a[0], a[1], follow_symlinks=name == "getx")
        return f"len={len(v)} md5={digest(v)}"
    elif name == "rmx":
        os.removexattr(a[0], a[1])
    elif name == "listx":
        return " ".join(sorted(os.listxattr(a[0]))) or "(none)"
    elif name == "mmapw":
        # mmapw PATH OFF LEN SEED: write through a shared mapping, msync
        fd = os.open(a[0], os.O_RDWR)
        try:
            off, n = int(a[1]), int(a[2])
            base = off - off % mmap.PAGESIZE
            m = mmap.mmap(fd, off + n - base, mmap.MAP_SHARED, offset=base)
            m[off - base:off - base + n] = pattern(n, a[3])
            m.flush()
            m.close()
        finally:
            os.close(fd)
    elif name == "mmapr":
        fd = os.open(a[0], os.O_RDONLY)
        try:
            off, n = int(a[1]), int(a[2])
            base = off - off % mmap.PAGESIZE
            m = mmap.mmap(fd, off + n - base, mmap.MAP_SHARED, mmap.PROT_READ, offset=base)
            v = m[off - base:off - base + n]
            m.close()
            return f"md5={digest(v)}"
        finally:
            os.close(fd)
    elif name == "fsync":
        fd = os.open(a[0], os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    else:
        raise SystemExit(f"posix-tool: unknown op {name}")
    return "OK"


def cmd_e(args):
    """e OP ARGS...: print 'OP ARGS: result' or the errno name."""
    try:
        res = op(args[0], args[1:])
    except OSError as e:
        res = ename(e.errno)
    print(f"{' '.join(args)}: {res}")


def cmd_x(args):
    """x OP ARGS...: run OP quietly; on an error print its name and exit 1."""
    try:
        op(args[0], args[1:])
    except OSError as e:
        print(ename(e.errno))
        sys.exit(1)


def cmd_read(args):
    """read PATH OFF LEN: md5 of what read(2) returns, and its length."""
    with open(args[0], "rb") as f:
        f.seek(int(args[1]))
        v = f.read(int(args[2]))
    zeros = "zeros" if v == bytes(len(v)) else "data"
    print(f"read {args[0]} {args[1]} {args[2]}: len={len(v)} {zeros} md5={digest(v)}")


def cmd_expect(args):
    """expect PATH OFF LEN SEED: does the file hold pattern(LEN, SEED) at OFF?"""
    with open(args[0], "rb") as f:
        f.seek(int(args[1]))
        v = f.read(int(args[2]))
    ok = v == pattern(int(args[2]), args[3])
    print(f"expect {' '.join(args)}: {'match' if ok else 'MISMATCH'}")


def cmd_pattern_md5(args):
    print(f"pattern {args[0]} {args[1]}: md5={digest(pattern(int(args[0]), args[1]))}")


class Statx(ctypes.Structure):
    _fields_ = [("mask", ctypes.c_uint32), ("blksize", ctypes.c_uint32),
                ("attributes", ctypes.c_uint64), ("nlink", ctypes.c_uint32),
                ("uid", ctypes.c_uint32), ("gid", ctypes.c_uint32),
                ("mode", ctypes.c_uint16), ("pad1", ctypes.c_uint16),
                ("ino", ctypes.c_uint64), ("size", ctypes.c_uint64),
                ("blocks", ctypes.c_uint64), ("attributes_mask", ctypes.c_uint64),
                ("atime", ctypes.c_int64 * 2), ("btime", ctypes.c_int64 * 2),
                ("ctime", ctypes.c_int64 * 2), ("mtime", ctypes.c_int64 * 2),
                ("rest", ctypes.c_uint64 * 16)]


def statx(path):
    st = Statx()
    STATX_ALL = 0xfff
    libc_call(libc.statx, AT_FDCWD, path.encode(), 0x100, STATX_ALL, ctypes.byref(st))
    return st


def ts(t):
    return t[0] * 1000000000 + (t[1] & 0xffffffff)


def cmd_btime(args):
    """btime PATH: birth time in ns (or 'none')."""
    st = statx(args[0])
    print(ts(st.btime) if st.mask & 0x800 else "none")


def cmd_times(args):
    """times PATH: atime mtime in ns, and whether ctime >= btime."""
    st = os.stat(args[0])
    print(f"{args[0]}: atime={st.st_atime_ns} mtime={st.st_mtime_ns}")


def cmd_utimens(args):
    os.utime(args[0], ns=(int(args[1]), int(args[2])))


def cmd_stat(args):
    """stat PATH...: type, mode, nlink, uid, gid, size, blocks"""
    for p in args:
        try:
            st = os.lstat(p)
        except OSError as e:
            print(f"{p}: {ename(e.errno)}")
            continue
        kind = {0o10: "file", 0o04: "dir", 0o12: "symlink", 0o01: "fifo",
                0o14: "socket", 0o02: "chr", 0o06: "blk"}[st.st_mode >> 12]
        extra = ""
        if kind in ("chr", "blk"):
            extra = f" rdev={os.major(st.st_rdev)},{os.minor(st.st_rdev)}"
        print(f"{p}: {kind} mode={st.st_mode & 0o7777:o} nlink={st.st_nlink} "
              f"uid={st.st_uid} gid={st.st_gid} size={st.st_size} blocks={st.st_blocks}{extra}")


class Dirent(ctypes.Structure):
    _fields_ = [("d_ino", ctypes.c_uint64), ("d_off", ctypes.c_int64),
                ("d_reclen", ctypes.c_uint16), ("d_type", ctypes.c_uint8),
                ("d_name", ctypes.c_char * 256)]


libc.opendir.restype = ctypes.c_void_p
libc.opendir.argtypes = [ctypes.c_char_p]
libc.readdir.restype = ctypes.POINTER(Dirent)
libc.readdir.argtypes = [ctypes.c_void_p]
libc.telldir.restype = ctypes.c_long
libc.telldir.argtypes = [ctypes.c_void_p]
libc.seekdir.argtypes = [ctypes.c_void_p, ctypes.c_long]
libc.closedir.argtypes = [ctypes.c_void_p]


def read_entries(d, n=None):
    out = []
    while n is None or len(out) < n:
        ent = libc.readdir(d)
        if not ent:
            break
        out.append((ent.contents.d_name.decode(), ent.contents.d_off))
    return out


def cmd_doff(args):
    """doff DIR: names in readdir order with their d_off."""
    d = libc.opendir(args[0].encode())
    for name, off in read_entries(d):
        print(f"{name} {off}")
    libc.closedir(d)


def cmd_seekdir(args):
    """seekdir DIR: telldir/seekdir across creates and removes in DIR.

    Reads some names, remembers the position, creates and removes
    names, seeks back, reads the rest: every name that existed all
    along is seen exactly once, positions only grow."""
    path = args[0]
    d = libc.opendir(path.encode())
    first = read_entries(d, 5)
    pos = libc.telldir(d)
    rest1 = read_entries(d, 3)
    for i in range(20):
        open(os.path.join(path, f"new{i:02}"), "w").close()
    os.unlink(os.path.join(path, rest1[-1][0]))
    libc.seekdir(d, pos)
    rest = read_entries(d)
    libc.closedir(d)
    names = [n for n, _ in first + rest]
    offs = [o for _, o in first + rest]
    seen_twice = sorted({n for n in names if names.count(n) > 1})
    print(f"seekdir: first={[n for n, _ in first]}")
    print(f"seekdir: after seek={[n for n, _ in rest]}")
    print(f"seekdir: duplicates={seen_twice} offsets increasing={offs == sorted(offs)}")


def cmd_tmpfile(args):
    """tmpfile DIR NAME: O_TMPFILE, write, link it in as NAME."""
    fd = os.open(args[0], os.O_TMPFILE | os.O_RDWR, 0o600)
    os.write(fd, b"tmpfile data\n")
    st = os.fstat(fd)
    print(f"tmpfile: nlink={st.st_nlink} size={st.st_size}")
    AT_EMPTY_PATH = 0x1000
    libc_call(libc.linkat, fd, b"", AT_FDCWD,
              os.path.join(args[0], args[1]).encode(), AT_EMPTY_PATH)
    st = os.fstat(fd)
    print(f"tmpfile linked: nlink={st.st_nlink}")
    os.close(fd)


def cmd_tmpfile_drop(args):
    """tmpfile-drop DIR LEN: an O_TMPFILE with LEN bytes closed unlinked."""
    fd = os.open(args[0], os.O_TMPFILE | os.O_RDWR, 0o600)
    os.write(fd, pattern(int(args[1]), "tmp"))
    os.fsync(fd)
    os.close(fd)
    print("tmpfile-drop: closed")


def cmd_writers(args):
    """writers DIR NPROC NWRITES: processes writing their own files and a
    shared file (own 4 KiB slots), then everything is verified."""
    path, nproc, nw = args[0], int(args[1]), int(args[2])
    shared = os.path.join(path, "shared")
    open(shared, "w").close()
    pids = []
    for p in range(nproc):
        pid = os.fork()
        if pid == 0:
            own = os.open(os.path.join(path, f"w{p}"), os.O_CREAT | os.O_WRONLY, 0o644)
            sh = os.open(shared, os.O_WRONLY)
            for i in range(nw):
                os.pwrite(own, pattern(4096, f"{p}.{i}"), i * 4096)
                os.pwrite(sh, pattern(4096, f"s{p}.{i}"), (i * nproc + p) * 4096)
            os.close(own)
            os.close(sh)
            os._exit(0)
        pids.append(pid)
    bad = 0
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        bad += status != 0
    errors = 0
    for p in range(nproc):
        with open(os.path.join(path, f"w{p}"), "rb") as f:
            for i in range(nw):
                errors += f.read(4096) != pattern(4096, f"{p}.{i}")
    with open(shared, "rb") as f:
        for i in range(nw):
            for p in range(nproc):
                errors += f.read(4096) != pattern(4096, f"s{p}.{i}")
    print(f"writers: {nproc} processes, failed={bad} mismatched blocks={errors}")


def cmd_many(args):
    """many DIR N create|stat|list|remove|thin K|churn SEED: N files f0..f(N-1); thin keeps
    every Kth; churn creates N/2..N files named for SEED, then removes a share of all the
    directory holds (random from SEED), and syncs."""
    path, n, what = args[0], int(args[1]), args[2]
    if what == "create":
        for i in range(n):
            os.close(os.open(os.path.join(path, f"f{i}"), os.O_CREAT | os.O_WRONLY, 0o644))
        print(f"many: created {n}")
    elif what == "stat":
        inos = set()
        for i in range(n):
            inos.add(os.stat(os.path.join(path, f"f{i}")).st_ino)
        print(f"many: stat {n}, distinct inodes {len(inos)}")
    elif what == "list":
        names = os.listdir(path)
        want = {f"f{i}" for i in range(n)}
        print(f"many: listed {len(names)}, all present {want <= set(names)}, duplicates {len(names) - len(set(names))}")
    elif what == "remove":
        for i in range(n):
            os.unlink(os.path.join(path, f"f{i}"))
        print(f"many: removed {n}")
    elif what == "thin":
        k = int(args[3])
        gone = 0
        for i in range(n):
            if i % k:
                os.unlink(os.path.join(path, f"f{i}"))
                gone += 1
        print(f"many: removed {gone}, kept every {k}th")
    elif what == "churn":
        seed = int(args[3])
        rng = random.Random(seed)
        add = rng.randint(n // 2, n)
        for i in range(add):
            os.close(os.open(os.path.join(path, f"c{seed}_{i}"), os.O_CREAT | os.O_WRONLY, 0o644))
        names = sorted(os.listdir(path))
        share = rng.choice([0.5, 0.8, 0.95, 0.99])
        gone = rng.sample(names, int(len(names) * share))
        for name in gone:
            os.unlink(os.path.join(path, name))
        os.sync()
        print(f"many: churn {seed}: created {add}, removed {len(gone)} ({share:.0%}), left {len(names) - len(gone)}")


def blocks_of(fd):
    return os.fstat(fd).st_blocks


def zeros_at(fd, off, n):
    v = os.pread(fd, n, off)
    return "zeros" if v == bytes(n) and len(v) == n else f"DATA (len {len(v)})"


def cmd_prealloc(args):
    """prealloc DIR: blocks preallocated past EOF by extending writes are
    left out of st_blocks while the file is open, read as zeros when a sparse write,
    truncate or fallocate grows the size over them, and go at close."""
    d = args[0]
    f = os.path.join(d, "p")
    fd = os.open(f, os.O_CREAT | os.O_RDWR | os.O_TRUNC, 0o644)
    os.write(fd, pattern(81920, "p"))
    print(f"prealloc: wrote 80 KiB, open: blocks={blocks_of(fd)}")
    os.pwrite(fd, pattern(4096, "q"), 163840)
    print(f"prealloc: wrote 4 KiB at 160 KiB: gap {zeros_at(fd, 81920, 81920)}, blocks={blocks_of(fd)}")
    os.ftruncate(fd, 409600)
    print(f"prealloc: truncated up to 400 KiB: new part {zeros_at(fd, 167936, 409600 - 167936)}, blocks={blocks_of(fd)}")
    ok = os.pread(fd, 81920, 0) == pattern(81920, "p") and os.pread(fd, 4096, 163840) == pattern(4096, "q")
    print(f"prealloc: written data {'intact' if ok else 'CHANGED'}")
    os.close(fd)
    print(f"prealloc: closed: blocks={os.stat(f).st_blocks}")
    g = os.path.join(d, "g")
    fd = os.open(g, os.O_CREAT | os.O_RDWR | os.O_TRUNC, 0o644)
    os.write(fd, pattern(81920, "g"))
    os.posix_fallocate(fd, 0, 204800)
    print(f"prealloc: fallocated to 200 KiB: new part {zeros_at(fd, 81920, 204800 - 81920)}, blocks={blocks_of(fd)}")
    os.close(fd)
    print(f"prealloc: closed: blocks={os.stat(g).st_blocks}")
    a = os.path.join(d, "a")
    with open(a, "wb") as fa:
        fa.write(pattern(81920, "a"))
    with open(a, "ab") as fa:
        fa.write(pattern(4096, "b"))
        fa.flush()
        print(f"prealloc: appended 4 KiB, open: blocks={os.fstat(fa.fileno()).st_blocks}")
    with open(a, "rb") as fa:
        ok = fa.read() == pattern(81920, "a") + pattern(4096, "b")
    print(f"prealloc: appended file {'intact' if ok else 'CHANGED'}, closed: blocks={os.stat(a).st_blocks}")


def cmd_hold(args):
    """hold PATH LEN MARKER: write LEN bytes, fsync, create MARKER and keep
    the file open until killed (a crash while a writer has it open)."""
    fd = os.open(args[0], os.O_CREAT | os.O_RDWR | os.O_TRUNC, 0o644)
    os.write(fd, pattern(int(args[1]), "hold"))
    os.fsync(fd)
    print(f"hold: wrote {args[1]} bytes, synced, open: blocks={blocks_of(fd)}", flush=True)
    open(args[2], "w").close()
    while True:
        signal.pause()


def cmd_tchange(args):
    """tchange OP ARGS...: run OP on ARGS[0] and say whether its mtime and
    ctime changed (a pause first, so a change shows at any clock tick)."""
    before = os.stat(args[1])
    time.sleep(0.05)
    try:
        res = op(args[0], args[1:])
    except OSError as e:
        res = ename(e.errno)
    after = os.stat(args[1])
    mt = "changed" if after.st_mtime_ns != before.st_mtime_ns else "same"
    ct = "changed" if after.st_ctime_ns != before.st_ctime_ns else "same"
    print(f"{' '.join(args)}: {res} size={after.st_size} mtime={mt} ctime={ct}")


def cmd_wblocks(args):
    """wblocks PATH OFF LEN...: write the ranges (4 KiB pwrites) into a new
    file and print st_blocks while it is open, after fsync and after close."""
    fd = os.open(args[0], os.O_CREAT | os.O_RDWR | os.O_TRUNC, 0o644)
    r = args[1:]
    for off, n in zip(r[0::2], r[1::2]):
        off, n = int(off), int(n)
        for o in range(off, off + n, 4096):
            os.pwrite(fd, pattern(min(4096, off + n - o), f"{args[0]}.{o}"), o)
    opened = blocks_of(fd)
    os.fsync(fd)
    synced = blocks_of(fd)
    os.close(fd)
    st = os.stat(args[0])
    print(f"wblocks {' '.join(args)}: size={st.st_size} blocks open={opened} "
          f"fsynced={synced} closed={st.st_blocks}")


def cmd_blocks(args):
    """blocks PATH...: size and st_blocks"""
    for p in args:
        st = os.stat(p)
        print(f"{p}: size={st.st_size} blocks={st.st_blocks}")


def cmd_fsize(args):
    """fsize LIMIT OP ARGS...: OP with RLIMIT_FSIZE at LIMIT bytes; prints
    its result and how many SIGXFSZ it raised."""
    got = []
    old_handler = signal.signal(signal.SIGXFSZ, lambda s, f: got.append(s))
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(args[0]), old[1]))
    try:
        res = op(args[1], args[2:])
    except OSError as e:
        res = ename(e.errno)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old)
        signal.signal(signal.SIGXFSZ, old_handler)
    print(f"fsize {' '.join(args)}: {res} sigxfsz={len(got)}")


def main():
    cmds = {
        "e": cmd_e, "x": cmd_x, "read": cmd_read, "expect": cmd_expect, "pattern": cmd_pattern_md5,
        "btime": cmd_btime, "times": cmd_times, "utimens": cmd_utimens, "stat": cmd_stat,
        "doff": cmd_doff, "seekdir": cmd_seekdir, "tmpfile": cmd_tmpfile,
        "tmpfile-drop": cmd_tmpfile_drop, "writers": cmd_writers, "many": cmd_many,
        "prealloc": cmd_prealloc, "hold": cmd_hold, "tchange": cmd_tchange,
        "wblocks": cmd_wblocks, "blocks": cmd_blocks, "fsize": cmd_fsize,
    }
    if sys.argv[1:] == ["-"]:
        for line in sys.stdin:
            words = shlex.split(line)
            if words:
                cmds[words[0]](words[1:])
                sys.stdout.flush()
    else:
        cmds[sys.argv[1]](sys.argv[2:])


main()
