# The guest side of the power-cut soak (test/soak/soak.ts), one boot:
# mount the volume, verify the manifest the host passes in, then run a
# seeded random workload until a child process cuts the power (sysrq-b)
# after SOAK_DELAY seconds.  With SOAK_DELAY=0 (the last boot) it verifies,
# unmounts and exits.
#
# Everything the host learns goes through the journal disk
# (/dev/vm/journal): one 4 KiB record per block, written with
# O_DIRECT|O_SYNC, so a record whose write returned is on the host's image
# file before the next operation starts.  The host reads the records in
# order up to the first one that is torn or missing.  The rules that make
# the manifest exact:
#   - "i" (intent), written BEFORE any operation that may change what a
#     name shows (its data, size, xattrs, what it names): the host forgets
#     what it knew about those names;
#   - "k" (known), written AFTER fsync of the file and of every directory
#     from its parent up to the soak root: the name must show exactly this
#     (a file's size, sha256 and xattrs, a symlink's target, or nothing).
# So a name the host knows about was fsync'd in that state and nothing
# touched it since: after the cut it must be exactly that.
#
#   python3 soak.py    (environment: see main())
import errno
import hashlib
import json
import mmap
import os
import random
import struct
import subprocess
import sys
import time

BLOCK = 4096
MAGIC = b"SOAKJRN1"
MAX_FILES = 120
MAX_SIZE = 256 * 1024
MAX_DIRS = 14
# SOAK_NO_FSYNC=1: record checkpoints without the fsyncs, so that a cut
# must lose what they record: the soak's test that it can see lost data
NO_FSYNC = os.environ.get("SOAK_NO_FSYNC") == "1"


class Journal:
    def __init__(self, dev):
        # SOAK_JOURNAL_BUFFERED=1: the host self-test's file on a filesystem that may lack O_DIRECT
        direct = 0 if os.environ.get("SOAK_JOURNAL_BUFFERED") == "1" else os.O_DIRECT
        self.fd = os.open(dev, os.O_WRONLY | direct | os.O_SYNC)
        self.buf = mmap.mmap(-1, BLOCK)  # page aligned, as O_DIRECT wants
        self.seq = 0
        self.limit = os.lseek(self.fd, 0, os.SEEK_END) // BLOCK
        self.full = False

    def put(self, rec):
        if self.seq >= self.limit:
            self.full = True
            return False
        payload = json.dumps(rec, separators=(",", ":")).encode()
        if len(payload) > BLOCK - 24:
            payload = json.dumps({"t": "toolong", "what": rec.get("t")}).encode()
        seqb = struct.pack("<I", self.seq)
        digest = hashlib.sha256(seqb + payload).digest()[:8]
        block = MAGIC + seqb + struct.pack("<I", len(payload)) + digest + payload
        self.buf.seek(0)
        self.buf.write(block + bytes(BLOCK - len(block)))
        os.pwrite(self.fd, self.buf, self.seq * BLOCK)
        self.seq += 1
        return True


def sha(b):
    return hashlib.sha256(b).hexdigest()[:24]


def xattr_digest(x):
    h = hashlib.sha256()
    for k in sorted(x):
        h.update(k.encode() + b"=" + x[k] + b";")
    return h.hexdigest()[:16]


def read_xattrs(p):
    return {k: os.getxattr(p, k, follow_symlinks=False) for k in os.listxattr(p, follow_symlinks=False) if k.startswith("user.")}


def read_all(p):
    with open(p, "rb") as f:
        return f.read()


def state_of(p):
    """What a name shows now, in the manifest's terms."""
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        return {"k": "a"}
    except NotADirectoryError:
        return {"k": "a"}
    if os.path.islink(p):
        return {"k": "l", "target": os.readlink(p)}
    if not os.path.isfile(p):
        return {"k": "other", "mode": oct(st.st_mode)}
    data = read_all(p)
    return {"k": "f", "size": len(data), "sha": sha(data), "x": xattr_digest(read_xattrs(p))}


def verify(root, manifest, journal, log):
    checked = 0
    bad = []
    for rel in sorted(manifest):
        want = manifest[rel]
        checked += 1
        try:
            got = state_of(os.path.join(root, rel))
        except OSError as e:
            got = {"k": "error", "errno": errno.errorcode.get(e.errno, str(e.errno))}
        if got != want:
            bad.append(rel)
            if len(bad) <= 50:
                journal.put({"t": "lost", "p": rel, "want": want, "got": got})
            log(f"soak: LOST {rel}: want {want} got {got}")
    journal.put({"t": "verify", "checked": checked, "lost": len(bad)})
    log(f"soak: verified {checked} manifest entries, {len(bad)} lost")
    return bad


class Workload:
    def __init__(self, root, journal, rng, cycle, log):
        self.root = root
        self.j = journal
        self.r = rng
        self.cycle = cycle
        self.log = log
        self.n = 0
        self.ops = 0
        self.errors = 0
        self.bugs = 0
        self.shorts = 0
        self.dirs = set()  # relative paths, "" is the root
        self.names = {}  # rel -> ("f", ino) | ("l", target)
        self.inodes = {}  # ino -> {"names": set, "data": bytearray|None, "x": dict|None}
        self.gone = []  # recently removed names (candidates for absent checkpoints)
        self.scan()

    # ------------------------------------------------------------ model

    def scan(self):
        for d, subdirs, files in os.walk(self.root):
            rd = os.path.relpath(d, self.root)
            rd = "" if rd == "." else rd
            self.dirs.add(rd)
            for f in files + [s for s in subdirs if os.path.islink(os.path.join(d, s))]:
                rel = os.path.join(rd, f)
                p = os.path.join(self.root, rel)
                st = os.lstat(p)
                if os.path.islink(p):
                    self.names[rel] = ("l", os.readlink(p))
                else:
                    self.names[rel] = ("f", st.st_ino)
                    self.inodes.setdefault(st.st_ino, {"names": set(), "data": None, "x": None})["names"].add(rel)

    def p(self, rel):
        return os.path.join(self.root, rel)

    def inode(self, rel):
        ino = self.inodes[self.names[rel][1]]
        if ino["data"] is None:
            ino["data"] = bytearray(read_all(self.p(rel)))
            ino["x"] = read_xattrs(self.p(rel))
            ino["h"] = [f"{self.ops}:{rel}: loaded {len(ino['data'])} sha {sha(ino['data'])}"]
        return ino

    def files(self):
        return [n for n, v in self.names.items() if v[0] == "f"]

    def new_name(self, prefix):
        self.n += 1
        d = self.r.choice(sorted(self.dirs))
        return os.path.join(d, f"{prefix}{self.cycle}_{self.n}")

    def depth(self, rel):
        return 0 if rel == "" else rel.count("/") + 1

    def intent(self, rels):
        if not self.j.put({"t": "i", "p": sorted(set(rels))}):
            raise JournalFull()

    def forget(self, rel):
        """Drop what the model knows of rel's inode (after a failed change)."""
        v = self.names.get(rel)
        if v and v[0] == "f":
            ino = self.inodes[v[1]]
            ino["data"] = None
            ino["x"] = None

    def write_all(self, fd, data, off, rel):
        """Write all of data (at off, or at the fd's offset); a short write is
        noted (it is allowed) and the rest written after it."""
        done = 0
        while done < len(data):
            mv = memoryview(data)[done:]
            n = os.write(fd, mv) if off is None else os.pwrite(fd, mv, off + done)
            if n < len(mv):
                self.shorts += 1
                self.j.put({"t": "short", "p": rel, "asked": len(mv), "wrote": n})
            if n <= 0:
                break
            done += n
        return done

    def history(self, rel, what):
        v = self.names.get(rel)
        if v and v[0] == "f":
            h = self.inodes[v[1]].setdefault("h", [])
            h.append(f"{self.ops}:{rel}: {what}")
            del h[:-12]

    def fsync(self, fd):
        if not NO_FSYNC:
            os.fsync(fd)

    def fsync_dirs(self, rel):
        d = os.path.dirname(rel)
        while True:
            fd = os.open(self.p(d), os.O_RDONLY | os.O_DIRECTORY)
            try:
                self.fsync(fd)
            finally:
                os.close(fd)
            if d == "":
                break
            d = os.path.dirname(d)

    # ---------------------------------------------------------- checkpoint

    def checkpoint(self, rel):
        """fsync rel (and its directories) and record what it must show."""
        v = self.names.get(rel)
        p = self.p(rel)
        if v is None:
            self.fsync_dirs(rel)
            rec = {"k": "a"}
            if os.path.lexists(p):
                return self.bug(f"{rel} exists but the model has it removed")
        elif v[0] == "l":
            self.fsync_dirs(rel)
            rec = {"k": "l", "target": v[1]}
        else:
            ino = self.inode(rel)
            fd = os.open(p, os.O_RDONLY)
            try:
                self.fsync(fd)
            finally:
                os.close(fd)
            self.fsync_dirs(rel)
            rec = {"k": "f", "size": len(ino["data"]), "sha": sha(ino["data"]), "x": xattr_digest(ino["x"])}
            live = state_of(p)
            if live != rec:
                got = read_all(p)
                want = bytes(ino["data"])
                diff = [i for i in range(min(len(got), len(want))) if got[i] != want[i]]
                detail = ""
                if diff:
                    a, b = diff[0], diff[-1]
                    detail = (
                        f"; {len(diff)} bytes differ in [{a}, {b}]; read there {got[a:a + 16].hex()} "
                        f"(all zero: {not any(got[a:b + 1])}), model {want[a:a + 16].hex()} (all zero: {not any(want[a:b + 1])})"
                    )
                open("/proc/sys/vm/drop_caches", "w").write("3")
                again = read_all(p)
                detail += f"; after drop_caches reads {'the same' if again == got else 'the model' if again == want else 'something else'}"
                hist = " | ".join(ino.get("h", []))
                ino["data"] = None
                return self.bug(f"{rel} reads back {live}, the model says {rec}{detail}; ops on it this boot: {hist}"[:3500])
        if v is not None and v[0] == "f":
            self.history(rel, f"fsync'd {rec['size']} sha {rec['sha']}")
        rec.update({"t": "k", "p": rel})
        if not self.j.put(rec):
            raise JournalFull()

    def bug(self, what):
        self.bugs += 1
        self.log(f"soak: BUG {what}")
        self.j.put({"t": "bug", "what": what})

    # ---------------------------------------------------------- operations

    def op_create(self):
        if len(self.names) >= MAX_FILES:
            return self.op_unlink()
        rel = self.new_name("f")
        data = self.r.randbytes(self.r.choice([0, 1, 100, 4096, 5000, 65536, self.r.randrange(MAX_SIZE)]))
        self.intent([rel])
        self.names[rel] = ("f", None)
        fd = os.open(self.p(rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            ino = os.fstat(fd).st_ino
            self.names[rel] = ("f", ino)
            self.inodes[ino] = {"names": {rel}, "data": bytearray(), "x": {}}
            done = self.write_all(fd, data, 0, rel)
            self.inodes[ino]["data"] += data[:done]
            self.history(rel, f"create {len(data)}")
        finally:
            os.close(fd)
        return rel

    def pick_file(self):
        fs = self.files()
        return self.r.choice(sorted(fs)) if fs else None

    def names_of(self, rel):
        return sorted(self.inodes[self.names[rel][1]]["names"])

    def op_append(self):
        rel = self.pick_file()
        if rel is None:
            return self.op_create()
        ino = self.inode(rel)
        n = min(self.r.choice([1, 17, 4096, 10000, 70000]), MAX_SIZE - len(ino["data"]))
        if n <= 0:
            return self.op_truncate()
        data = self.r.randbytes(n)
        self.intent(self.names_of(rel))
        fd = os.open(self.p(rel), os.O_WRONLY | os.O_APPEND)
        try:
            done = self.write_all(fd, data, None, rel)
        finally:
            os.close(fd)
        ino["data"] += data[:done]
        self.history(rel, f"append {len(data)} at {len(ino['data']) - done}")
        return rel

    def op_overwrite(self):
        rel = self.pick_file()
        if rel is None:
            return self.op_create()
        ino = self.inode(rel)
        off = self.r.randrange(0, max(1, len(ino["data"]) + 8192))
        n = min(self.r.choice([1, 511, 4096, 9000, 40000]), MAX_SIZE - off)
        if n <= 0:
            return self.op_truncate()
        data = self.r.randbytes(n)
        self.intent(self.names_of(rel))
        fd = os.open(self.p(rel), os.O_WRONLY)
        try:
            done = self.write_all(fd, data, off, rel)
        finally:
            os.close(fd)
        data = data[:done]
        d = ino["data"]
        if done and off > len(d):
            d += bytes(off - len(d))
        d[off : off + done] = data
        self.history(rel, f"pwrite {done} at {off} (size {len(d)})")
        return rel

    def op_truncate(self):
        rel = self.pick_file()
        if rel is None:
            return self.op_create()
        ino = self.inode(rel)
        size = self.r.choice([0, self.r.randrange(0, len(ino["data"]) + 1), self.r.randrange(0, MAX_SIZE)])
        self.intent(self.names_of(rel))
        os.truncate(self.p(rel), size)
        self.history(rel, f"truncate {len(ino['data'])} -> {size}")
        d = ino["data"]
        if size < len(d):
            del d[size:]
        else:
            d += bytes(size - len(d))
        return rel

    def op_setxattr(self):
        rel = self.pick_file()
        if rel is None:
            return self.op_create()
        ino = self.inode(rel)
        key = f"user.k{self.r.randrange(6)}"
        val = self.r.randbytes(self.r.choice([0, 1, 30, 255, 3000]))
        self.intent(self.names_of(rel))
        os.setxattr(self.p(rel), key, val)
        ino["x"][key] = val
        return rel

    def op_rmxattr(self):
        rel = self.pick_file()
        if rel is None:
            return self.op_create()
        ino = self.inode(rel)
        if not ino["x"]:
            return self.op_setxattr()
        key = self.r.choice(sorted(ino["x"]))
        self.intent(self.names_of(rel))
        os.removexattr(self.p(rel), key)
        del ino["x"][key]
        return rel

    def drop_name(self, rel):
        v = self.names.pop(rel)
        if v[0] == "f":
            ino = self.inodes[v[1]]
            ino["names"].discard(rel)
            if not ino["names"]:
                del self.inodes[v[1]]
        self.gone.append(rel)
        del self.gone[:-20]

    def op_unlink(self):
        if not self.names:
            return self.op_create()
        rel = self.r.choice(sorted(self.names))
        self.intent([rel])
        os.unlink(self.p(rel))
        self.drop_name(rel)
        return rel

    def op_rename(self):
        if not self.names:
            return self.op_create()
        src = self.r.choice(sorted(self.names))
        if self.r.random() < 0.3 and len(self.names) > 1:
            dst = self.r.choice(sorted(n for n in self.names if n != src))
        else:
            dst = self.new_name("f" if self.names[src][0] == "f" else "s")
        v = self.names[src]
        if dst in self.names and self.names[dst] == v:
            return None  # two links of one inode: rename does nothing
        self.intent([src, dst])
        os.rename(self.p(src), self.p(dst))
        if dst in self.names:
            self.drop_name(dst)
        del self.names[src]
        self.names[dst] = v
        if v[0] == "f":
            self.inodes[v[1]]["names"].discard(src)
            self.inodes[v[1]]["names"].add(dst)
            self.history(dst, f"renamed from {src}")
        self.gone = [g for g in self.gone if g != dst] + [src]
        del self.gone[:-20]
        return dst

    def op_link(self):
        rel = self.pick_file()
        if rel is None or len(self.names) >= MAX_FILES:
            return self.op_create()
        dst = self.new_name("f")
        self.intent([dst])
        os.link(self.p(rel), self.p(dst))
        ino_no = self.names[rel][1]
        self.names[dst] = ("f", ino_no)
        self.inodes[ino_no]["names"].add(dst)
        self.history(dst, f"linked to {rel}")
        return dst

    def op_symlink(self):
        if len(self.names) >= MAX_FILES:
            return self.op_unlink()
        dst = self.new_name("s")
        target = self.r.choice(["nowhere", "../x/y", "f" * self.r.randrange(1, 200), self.r.choice(sorted(self.names) or ["x"])])
        self.intent([dst])
        os.symlink(target, self.p(dst))
        self.names[dst] = ("l", target)
        return dst

    def op_mkdir(self):
        cands = sorted(d for d in self.dirs if self.depth(d) < 2)
        if len(self.dirs) >= MAX_DIRS:
            return self.op_rmdir()
        parent = self.r.choice(cands)
        self.n += 1
        rel = os.path.join(parent, f"d{self.cycle}_{self.n}")
        os.mkdir(self.p(rel))
        self.dirs.add(rel)
        return None

    def op_rmdir(self):
        empty = sorted(d for d in self.dirs if d != "" and not any(n.startswith(d + "/") for n in list(self.names) + list(self.dirs)))
        if not empty:
            return None
        rel = self.r.choice(empty)
        os.rmdir(self.p(rel))
        self.dirs.discard(rel)
        self.gone = [g for g in self.gone if not g.startswith(rel + "/")]
        return None

    def op_fsync(self):
        cands = sorted(self.names) + self.gone
        if cands:
            self.checkpoint(self.r.choice(cands))
        return None

    OPS = [
        ("create", 12),
        ("append", 10),
        ("overwrite", 10),
        ("truncate", 5),
        ("setxattr", 5),
        ("rmxattr", 2),
        ("rename", 6),
        ("unlink", 5),
        ("link", 4),
        ("symlink", 4),
        ("mkdir", 3),
        ("rmdir", 2),
        ("fsync", 14),
    ]

    def step(self):
        names = [o for o, _ in self.OPS]
        weights = [w for _, w in self.OPS]
        name = self.r.choices(names, weights)[0]
        self.ops += 1
        try:
            rel = getattr(self, "op_" + name)()
            # often make what was just changed durable
            if rel is not None and self.r.random() < 0.35:
                self.checkpoint(rel)
        except JournalFull:
            raise
        except OSError as e:
            self.errors += 1
            en = errno.errorcode.get(e.errno, str(e.errno))
            self.j.put({"t": "err", "op": name, "errno": en, "msg": str(e)[:300]})
            self.log(f"soak: {name} failed: {e}")
            # the model of what the failed call touched is no longer exact
            for v in self.inodes.values():
                v["data"] = None
                v["x"] = None
            self.names.clear()
            self.inodes.clear()
            self.dirs.clear()
            self.scan()
            if e.errno != errno.ENOSPC:
                self.bugs += 1


class JournalFull(Exception):
    pass


def main():
    env = os.environ
    journal = Journal(env.get("SOAK_JOURNAL", "/dev/vm/journal"))
    cycle = int(env["SOAK_CYCLE"])
    delay = float(env.get("SOAK_DELAY", "0"))
    mnt = env.get("SOAK_MNT", "/mnt/scoutfs")
    root = os.path.join(mnt, "soak")
    opts = env.get("SOAK_MOUNT_OPTS", "")
    log = lambda s: print(s, flush=True)
    journal.put({"t": "start", "cycle": cycle, "delay": delay, "opts": opts})

    if env.get("SOAK_NO_MOUNT") == "1":  # host self-test: a plain directory
        cmd = ["true"]
    else:
        cmd = ["mount", "-t", "scoutfs", "-o", f"metadev_path={env['SOAK_META']},quorum_slot_nr=0{opts}", env["SOAK_DATA"], mnt]
    mount = subprocess.run(cmd, capture_output=True, text=True)
    journal.put({"t": "mount", "rc": mount.returncode, "out": (mount.stdout + mount.stderr)[-500:]})
    if mount.returncode != 0:
        log(f"soak: mount failed ({mount.returncode}): {mount.stdout}{mount.stderr}")
        return 3

    manifest = {}
    mpath = env.get("SOAK_MANIFEST", "")
    if mpath and os.path.exists(mpath):
        with open(mpath) as f:
            manifest = json.load(f)
    if cycle == 0:
        os.mkdir(root)
        fd = os.open(mnt, os.O_RDONLY | os.O_DIRECTORY)
        os.fsync(fd)
        os.close(fd)
    t0 = time.time()
    verify(root, manifest, journal, log)
    tv = time.time() - t0

    max_ops = int(env.get("SOAK_OPS", "0"))  # host self-test: stop after this many ops
    if delay <= 0 and not max_ops:
        um = subprocess.run(["true"] if env.get("SOAK_NO_MOUNT") == "1" else ["umount", mnt], capture_output=True, text=True)
        journal.put({"t": "umount", "rc": um.returncode, "out": (um.stdout + um.stderr)[-500:]})
        log(f"soak: final verify in {tv:.1f} s, umount rc={um.returncode}")
        return 0 if um.returncode == 0 else 4

    rng = random.Random(f"{env.get('SOAK_SEED', '0')}:{cycle}")
    t0 = time.time()
    w = Workload(root, journal, rng, cycle, log)
    journal.put({"t": "armed", "delay": delay, "verify_s": round(tv, 2), "scan_s": round(time.time() - t0, 2), "names": len(w.names), "dirs": len(w.dirs)})
    sys.stdout.flush()
    if max_ops:
        while w.ops < max_ops:
            w.step()
        journal.put({"t": "done", "ops": w.ops, "errors": w.errors, "bugs": w.bugs})
        log(f"soak: {w.ops} ops, {w.errors} errors, {w.bugs} bugs")
        return 0 if not w.bugs else 6
    if os.fork() == 0:
        time.sleep(delay)
        with open("/proc/sysrq-trigger", "w") as f:
            f.write("b")
        time.sleep(60)
        os._exit(0)
    started = time.time()
    try:
        while w.errors < 20:
            w.step()
            if w.ops % 50 == 0:
                journal.put({"t": "progress", "ops": w.ops, "s": round(time.time() - started, 2), "names": len(w.names), "shorts": w.shorts})
    except JournalFull:
        log("soak: the journal is full; waiting for the cut")
    log(f"soak: workload stopped after {w.ops} ops ({w.errors} errors); waiting for the cut")
    time.sleep(600)
    return 5


if __name__ == "__main__":
    sys.exit(main())
