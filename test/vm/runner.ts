// Boots Debian's kernel under qemu with our module and runs a guest script.
//
// A Vm owns a private temp directory with its sparse disks; each boot builds
// an initramfs (static busybox, the Debian modules in dependency order, our
// modules, guest/init and the script), runs qemu with a time limit, and reads
// the guest's results back from a fresh results disk (a tar written by the
// guest), falling back on the serial console when the guest died first.
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cpioArchive, CpioEntry } from './cpio';
import { findSplats, isSplatLine } from './splat';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The ABI a series (e.g. "6.12") or nothing (the default kernel) resolves to. */
export function kernelAbi(series = ''): string {
  return execFileSync(path.join(PROJECT_ROOT, 'scripts', 'kernel-abi.sh'), series ? [series] : [], {
    encoding: 'utf8',
  }).trim();
}

/**
 * The scoutfs.ko under test: `make module` builds the default kernel's in
 * kmod/src/, `make module KVER=ABI` another's in kmod/build/ABI/.
 * SCOUTFS_KVER (an ABI, or a series such as 6.12) picks one of those;
 * SCOUTFS_KO names any .ko.  Boots use the kernel it was built for.
 */
function scoutfsKo(): string {
  if (process.env.SCOUTFS_KO) return path.resolve(process.env.SCOUTFS_KO);
  const src = path.join(PROJECT_ROOT, 'kmod', 'src', 'scoutfs.ko');
  const kver = process.env.SCOUTFS_KVER ?? '';
  if (kver === '') return src;
  const abi = kver.endsWith('-amd64') ? kver : kernelAbi(kver);
  return abi === kernelAbi() ? src : path.join(PROJECT_ROOT, 'kmod', 'build', abi, 'scoutfs.ko');
}
export const SCOUTFS_KO = scoutfsKo();
const GUEST_DIR = path.join(__dirname, 'guest');
const GiB = 1024 * 1024 * 1024;

/** Debian modules every boot loads (with their dependencies). */
const BASE_MODULES = [
  'virtio_pci',
  'virtio_blk',
  '9pnet_virtio',
  '9p',
  'dm-mod',
  'loop',
  'libcrc32c',
  'ext4',
];
/** Host programs the guest runs through the host's dynamic loader. */
const HOST_PROGRAMS: Record<string, string> = {
  node: '',
  dmsetup: 'DM_DISABLE_UDEV=1 ',
  'mkfs.ext4': '',
};

export interface DiskSpec {
  /** Serial number; the guest sees the disk as /dev/vm/<name>. */
  name: string;
  bytes: number;
}

/** Two 64 GiB sparse disks: mkfs refuses smaller devices without -A. */
export const DEFAULT_DISKS: DiskSpec[] = [
  { name: 'meta', bytes: 64 * GiB },
  { name: 'data', bytes: 64 * GiB },
];

export interface BootOptions {
  /** Guest shell script (busybox sh); ignored when interactive. */
  script?: string;
  /** A shell on the console (stdio) instead of a script. */
  interactive?: boolean;
  /** Host .ko files copied to /lib/modules/<abi>/extra; default [scoutfs.ko]. */
  modules?: string[];
  /** insmod the modules at boot (default true); else the guest does it. */
  insmod?: boolean;
  /** Extra variables exported to the guest script. */
  env?: Record<string, string>;
  /** Hard limit for the whole boot; qemu is killed after it. */
  timeoutMs?: number;
  /** Live serial console text (kernel messages and the script's output). */
  onConsole?: (text: string) => void;
  memMiB?: number;
  cpus?: number;
}

export interface RunResult {
  /** Exit status of the guest script; null when it did not finish. */
  status: number | null;
  /** The guest script's stdout and stderr. */
  output: string;
  /** The whole guest kernel log, when the guest saved it. */
  dmesg: string | null;
  console: string;
  splats: string[];
  timedOut: boolean;
  /** The guest crashed itself on purpose (vm-crash). */
  crashed: boolean;
  /** What went wrong besides the script's own status, if anything. */
  failure: string | null;
  /** Extracted results disk (removed with the Vm). */
  resultsDir: string;
  seconds: number;
}

export function runOk(r: RunResult): boolean {
  return r.failure === null && (r.crashed || r.status === 0);
}

/** Text explaining a failed run: reason, splats, and console tail if needed. */
export function describeRun(r: RunResult): string {
  const lines: string[] = [];
  if (r.failure) lines.push(`vm: ${r.failure}`);
  else if (!runOk(r)) lines.push(`vm: guest script exited with status ${r.status}`);
  for (const s of r.splats) lines.push('vm: kernel splat:', s);
  if (r.dmesg === null || r.timedOut || (r.status === null && !r.crashed)) {
    lines.push('vm: last console lines:', r.console.split('\n').slice(-40).join('\n'));
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- kernel

export interface KernelCache {
  abi: string;
  root: string;
  vmlinuz: string;
}

const kernels = new Map<string, KernelCache>();

/** The kernel release a module was built for (its vermagic's first word). */
export function moduleAbi(ko: string): string {
  return execFileSync('modinfo', ['-F', 'vermagic', ko], { encoding: 'utf8' })
    .trim()
    .split(/\s+/)[0];
}

/**
 * Runs setup.sh (idempotent) and returns the extracted kernel: the one
 * `ko` was built for (default SCOUTFS_KO; the default kernel when that is
 * not built), never simply the newest.
 */
export function kernelCache(ko: string = SCOUTFS_KO): KernelCache {
  const abi = fs.existsSync(ko) ? moduleAbi(ko) : kernelAbi();
  let k = kernels.get(abi);
  if (!k) {
    const out = execFileSync('bash', [path.join(__dirname, 'setup.sh'), abi], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const root = out.trim().split('\n').pop() ?? '';
    k = { abi, root, vmlinuz: path.join(root, 'boot', `vmlinuz-${abi}`) };
    kernels.set(abi, k);
  }
  return k;
}

/** .ko paths (relative to the cache's module tree) in load order. */
function debianModules(k: KernelCache, extra: string[]): string[] {
  const names = [...BASE_MODULES];
  for (const ko of extra) {
    const deps = execFileSync('modinfo', ['-F', 'depends', ko], { encoding: 'utf8' }).trim();
    names.push(...deps.split(',').filter((d) => d !== ''));
  }
  const modDir = path.join(k.root, 'lib', 'modules', k.abi) + '/';
  const order: string[] = [];
  for (const name of names) {
    const out = execFileSync('modprobe', ['-S', k.abi, '-d', k.root, '--show-depends', name], {
      encoding: 'utf8',
    });
    for (const line of out.split('\n')) {
      const m = /^insmod (\S+)/.exec(line);
      if (!m) continue; // "builtin NAME"
      const rel = m[1].startsWith(modDir) ? m[1].slice(modDir.length) : m[1];
      if (!order.includes(rel)) order.push(rel);
    }
  }
  return order;
}

// ------------------------------------------------------------- initramfs

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function hostProgram(name: string): string | null {
  for (const dir of ['/usr/local/bin', '/usr/bin', '/usr/sbin', '/bin', '/sbin']) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return fs.realpathSync(p);
  }
  return null;
}

/** A guest /bin wrapper running a host binary through the host's loader. */
function hostWrapper(binary: string, prefix: string, args = ''): string {
  const loader = fs.realpathSync('/lib64/ld-linux-x86-64.so.2');
  const libs = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/usr/local/lib']
    .map((d) => '/host' + d)
    .join(':');
  return `#!/bin/sh\n${prefix}exec /host${loader} --library-path ${libs} /host${binary} ${args}"$@"\n`;
}

interface InitramfsSpec {
  kernel: KernelCache;
  modules: string[];
  insmod: boolean;
  script: string;
  interactive: boolean;
  env: Record<string, string>;
}

let busyboxApplets: string[] | undefined;

function buildInitramfs(spec: InitramfsSpec): Buffer {
  const k = spec.kernel;
  const guestRoot = '/host' + PROJECT_ROOT;
  const entries: CpioEntry[] = [];
  const dir = (p: string) => entries.push({ kind: 'dir', path: p });
  const file = (p: string, data: Buffer | string, mode = 0o644) =>
    entries.push({ kind: 'file', path: p, data: Buffer.from(data), mode });

  for (const d of ['bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'root', 'run', 'mnt', 'vm', 'lib'])
    dir(d);
  // Busybox modinfo/modprobe want /lib/modules/<release>; init runs depmod.
  const modRoot = `lib/modules/${k.abi}`;
  for (const d of ['lib/modules', modRoot, `${modRoot}/kernel`, `${modRoot}/extra`]) dir(d);

  file('bin/busybox', fs.readFileSync('/bin/busybox'), 0o755);
  busyboxApplets ??= execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => a !== '' && a !== 'busybox' && !a.includes('/'));
  for (const a of busyboxApplets)
    entries.push({ kind: 'symlink', path: `bin/${a}`, target: 'busybox' });

  const node = hostProgram('node');
  if (!node) throw new Error('vm: node not found on the host');
  /*
   * Under TCG, code V8's JIT generates is translated again by qemu: node
   * starts about 3x faster without it (measured: 3.1 s -> 1.1 s for an empty
   * script, 6-10 s -> 3.6-4.1 s for the CLI), and the short runs of tests
   * never pay back compiling.  Only the guest wrappers do this.
   */
  for (const [name, prefix] of Object.entries(HOST_PROGRAMS)) {
    const bin = name === 'node' ? node : hostProgram(name);
    if (bin)
      file(
        `bin/${name}`,
        hostWrapper(bin, prefix, name === 'node' ? '--jitless --no-expose-wasm ' : ''),
        0o755,
      );
  }
  file(
    'bin/scoutfs',
    hostWrapper(node, '', `--jitless --no-expose-wasm ${guestRoot}/bin/scoutfs `),
    0o755,
  );
  // The same node with V8's JIT on, as a long-running program runs it: for throughput benchmarks.
  file('bin/node-jit', hostWrapper(node, '', ''), 0o755);
  file('bin/vm-crash', '#!/bin/sh\n. /etc/vmlib.sh\nvm_crash\n', 0o755);
  file('bin/vm-save-results', '#!/bin/sh\n. /etc/vmlib.sh\nvm_save_results\n', 0o755);

  file('init', fs.readFileSync(path.join(GUEST_DIR, 'init')), 0o755);
  file('etc/vmlib.sh', fs.readFileSync(path.join(GUEST_DIR, 'vmlib.sh')));
  file('etc/hosts', '127.0.0.1 localhost\n');
  file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
  file('etc/group', 'root:x:0:\n');

  const kos = debianModules(k, spec.modules);
  const modDir = path.join(k.root, 'lib', 'modules', k.abi);
  for (const rel of kos)
    file(`${modRoot}/kernel/${path.basename(rel)}`, fs.readFileSync(path.join(modDir, rel)));
  file('etc/vm-modules', kos.map((rel) => path.basename(rel) + '\n').join(''));

  for (const ko of spec.modules) file(`${modRoot}/extra/${path.basename(ko)}`, fs.readFileSync(ko));

  const env: Record<string, string> = {
    T_ROOT: guestRoot,
    T_VM: `${guestRoot}/test/vm`,
    T_KO:
      fs.existsSync(SCOUTFS_KO) && spec.modules.includes(SCOUTFS_KO)
        ? `/${modRoot}/extra/scoutfs.ko`
        : '',
    VM_MODE: spec.interactive ? 'shell' : 'script',
    VM_INSMOD: spec.insmod ? spec.modules.map((m) => path.basename(m)).join(' ') : '',
    VM_HUNG_TASK_SECS: '60',
    /*
     * Soft lockups are reported after twice this: the host can stall a
     * TCG vCPU for tens of seconds (a user page fault clearing a huge page
     * was reported stuck for 25 s on a busy 2-core host), so the guest
     * waits 60 s, as long as for hung tasks, before it calls a CPU stuck.
     */
    VM_WATCHDOG_THRESH: '30',
    ...spec.env,
  };
  file(
    'etc/vm.env',
    Object.entries(env)
      .map(([key, v]) => `export ${key}=${shQuote(v)}\n`)
      .join(''),
  );
  file('vm/script', spec.script, 0o755);
  return cpioArchive(entries);
}

// ------------------------------------------------------------ lifecycle

const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let handlersInstalled = false;

function cleanupAll(): void {
  for (const c of liveChildren) c.kill('SIGKILL');
  liveChildren.clear();
  for (const d of liveDirs) fs.rmSync(d, { recursive: true, force: true });
  liveDirs.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupAll);
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(sig, () => {
      cleanupAll();
      process.exit(code);
    });
  }
}

function qemuArgs(
  k: KernelCache,
  initrd: string,
  disks: { name: string; path: string }[],
  o: BootOptions,
): string[] {
  const kvm = process.env.SCOUTFS_VM_KVM === '1';
  const args = [
    '-nodefaults',
    '-no-user-config',
    '-no-reboot',
    '-display',
    'none',
    ...(kvm ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg', '-cpu', 'max']),
    '-m',
    String(o.memMiB ?? 2048),
    '-smp',
    String(o.cpus ?? 2),
    '-kernel',
    k.vmlinuz,
    '-initrd',
    initrd,
    '-append',
    'console=ttyS0 quiet panic=-1',
    '-virtfs',
    'local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap',
  ];
  disks.forEach((d, i) => {
    args.push('-drive', `file=${d.path},if=none,id=d${i},format=raw,cache=unsafe`);
    args.push('-device', `virtio-blk-pci,drive=d${i},serial=${d.name}`);
  });
  if (o.interactive) args.push('-serial', 'mon:stdio');
  else args.push('-serial', 'stdio', '-monitor', 'none');
  return args;
}

/** Splats of both sources, each once (keyed by its first splat line). */
function mergeSplats(a: string[], b: string[]): string[] {
  const key = (s: string) => s.split('\n').find(isSplatLine) ?? s;
  const seen = new Set(a.map(key));
  return [...a, ...b.filter((s) => !seen.has(key(s)))];
}

function readIf(p: string): string | null {
  return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null;
}

export class Vm {
  readonly dir: string;
  readonly disks: { name: string; path: string }[];
  private boots = 0;

  private constructor(dir: string, disks: { name: string; path: string }[]) {
    this.dir = dir;
    this.disks = disks;
  }

  /** A private temp dir with fresh sparse disks. */
  static create(disks: DiskSpec[] = DEFAULT_DISKS): Vm {
    installHandlers();
    const base = process.env.SCOUTFS_VM_TMPDIR ?? os.tmpdir();
    const dir = fs.mkdtempSync(path.join(base, 'scoutfs-vm-'));
    liveDirs.add(dir);
    const made = disks.map((d) => {
      const p = path.join(dir, `${d.name}.img`);
      fs.closeSync(fs.openSync(p, 'w'));
      fs.truncateSync(p, d.bytes);
      return { name: d.name, path: p };
    });
    return new Vm(dir, made);
  }

  /** Boots once on this Vm's disks; may be called again (crash + reboot). */
  async boot(o: BootOptions): Promise<RunResult> {
    const n = this.boots++;
    const modules = o.modules ?? [SCOUTFS_KO];
    for (const m of modules) {
      if (!fs.existsSync(m)) throw new Error(`vm: module ${m} not built (make module)`);
    }
    const k = kernelCache(modules[0]);
    for (const m of modules) {
      if (moduleAbi(m) !== k.abi)
        throw new Error(`vm: ${m} is built for ${moduleAbi(m)}, not ${k.abi} like ${modules[0]}`);
    }
    const initrd = path.join(this.dir, `initrd-${n}.cpio`);
    fs.writeFileSync(
      initrd,
      buildInitramfs({
        kernel: k,
        modules,
        insmod: o.insmod ?? true,
        script: o.script ?? '',
        interactive: o.interactive ?? false,
        env: o.env ?? {},
      }),
    );
    const results = { name: 'results', path: path.join(this.dir, `results-${n}.img`) };
    fs.closeSync(fs.openSync(results.path, 'w'));
    fs.truncateSync(results.path, 256 * 1024 * 1024);

    const started = Date.now();
    const child = spawn('qemu-system-x86_64', qemuArgs(k, initrd, [...this.disks, results], o), {
      stdio: o.interactive ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    liveChildren.add(child);
    let consoleText = '';
    let qemuErr = '';
    child.stdout?.on('data', (b: Buffer) => {
      const t = b.toString('utf8');
      consoleText += t;
      o.onConsole?.(t);
    });
    child.stderr?.on('data', (b: Buffer) => (qemuErr += b.toString('utf8')));
    let timedOut = false;
    const limit = o.timeoutMs ?? 300_000;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limit);
    const code: number | null = await new Promise((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.on('error', (e) => {
        qemuErr += String(e);
        resolve(-1);
      });
    });
    clearTimeout(timer);
    liveChildren.delete(child);
    fs.rmSync(initrd, { force: true });

    const resultsDir = path.join(this.dir, `results-${n}`);
    fs.mkdirSync(resultsDir);
    try {
      execFileSync('tar', ['-xf', results.path, '-C', resultsDir], { stdio: 'ignore' });
    } catch {
      // An untouched (all-zero) disk: the guest saved nothing.
    }
    fs.rmSync(results.path, { force: true });

    const r = (f: string) => readIf(path.join(resultsDir, f));
    const statusText = r('status');
    const dmesg = r('dmesg');
    const crashed = fs.existsSync(path.join(resultsDir, 'crashed'));
    const initError = r('init-error');
    // The saved log can end before the guest died (panic, hang): look at
    // the console too, which has the last words.
    const splats = mergeSplats(findSplats(dmesg ?? ''), findSplats(consoleText));
    const status = statusText === null ? null : parseInt(statusText, 10);
    let failure: string | null = null;
    if (timedOut) failure = `timed out after ${Math.round(limit / 1000)} s`;
    else if (code !== 0 && code !== null) failure = `qemu exited with ${code}: ${qemuErr.trim()}`;
    else if (initError !== null) failure = `guest init failed: ${initError.trim()}`;
    else if (splats.length > 0) failure = `${splats.length} kernel splat(s) in the guest log`;
    else if (status === null && !crashed && !o.interactive)
      failure = 'guest stopped before its script finished';
    return {
      status,
      output: r('output') ?? '',
      dmesg,
      console: consoleText,
      splats,
      timedOut,
      crashed,
      failure,
      resultsDir,
      seconds: (Date.now() - started) / 1000,
    };
  }

  /** Removes the temp dir and disks, unless SCOUTFS_VM_KEEP=1. */
  dispose(): void {
    liveDirs.delete(this.dir);
    if (process.env.SCOUTFS_VM_KEEP === '1') {
      process.stderr.write(`vm: kept ${this.dir}\n`);
      return;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One boot on fresh default disks, cleaned up afterwards. */
export async function runScript(
  script: string,
  o: BootOptions = {},
  disks?: DiskSpec[],
): Promise<RunResult> {
  const vm = Vm.create(disks);
  try {
    return await vm.boot({ ...o, script });
  } finally {
    vm.dispose();
  }
}
