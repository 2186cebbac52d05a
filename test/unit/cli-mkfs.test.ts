/*
 * The scoutfs CLI on sparse image files: mkfs -> print round trip, the
 * refusals and argument errors a user can hit, and damage detection.
 * Runs the compiled CLI (npm run build) as a user would.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import execa from 'execa';
import { SuperBlock, BLOCK_LG_SIZE, InodeItem } from '../../utils/src/gen/format';
import { FORMAT_HASH, FORMAT_HASH_HEX } from '../../utils/src/gen/hash';
import { crc32cRaw } from '../../utils/src/lib/crc';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'bin/scoutfs');
let dir: string;
let meta: string;
let data: string;

function scoutfs(...args: string[]) {
  return execa('node', [CLI, ...args], { reject: false, cwd: dir });
}

function sparse(name: string, size: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, '');
  execa.sync('truncate', ['-s', size, p]);
  return p;
}

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'build/utils/src/cli.js')))
    throw new Error('run `npm run build` before these tests');
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-cli-'));
  meta = sparse('meta.img', '1G');
  data = sparse('data.img', '4G');
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('crc32c follows the kernel convention (seed ~0, no final inversion)', () => {
  expect(crc32cRaw(Buffer.from('123456789')).toString(16)).toBe('1cf96d7c');
});

test('mkfs then print decodes the whole empty volume', async () => {
  const mk = await scoutfs('mkfs', '-Q', '0,127.0.0.1,12345', '-Q', '2,10.1.2.3,7000', meta, data);
  expect(mk.stderr).toBe('');
  expect(mk.exitCode).toBe(0);
  expect(mk.stdout).toContain(`format hash:     ${FORMAT_HASH_HEX}`);
  expect(mk.stdout).toContain('metadata blocks: 16384 x 64 KiB (1.00 GiB)');
  expect(mk.stdout).toContain('data blocks:     1048576 x 4 KiB (4.00 GiB)');
  expect(mk.stdout).toContain('quorum slots:    0: 127.0.0.1:12345, 2: 10.1.2.3:7000');

  /* the bytes on disk, decoded independently of print */
  const fd = fs.openSync(meta, 'r');
  const buf = Buffer.alloc(4096);
  fs.readSync(fd, buf, 0, 4096, 65536);
  fs.closeSync(fd);
  const sb = SuperBlock.decode(buf);
  expect(sb.format_hash).toBe(FORMAT_HASH);
  expect(sb.flags).toBe(1n);
  expect(sb.next_ino).toBe(1024n);
  expect(sb.total_meta_blocks).toBe(16384n);
  expect(sb.fs_root.height).toBe(1);
  expect(sb.quorum.slots[2].port).toBe(7000);
  expect(crc32cRaw(buf.subarray(4))).toBe(sb.hdr.crc);

  const pr = await scoutfs('print', meta);
  expect(pr.exitCode).toBe(0);
  const out = pr.stdout;
  expect(out).toContain(`format_hash: ${FORMAT_HASH_HEX} (matches these utilities)`);
  expect(out).toContain('flags: 0x1 (META_DEV)');
  expect(out).toContain('slot 0: 127.0.0.1:12345');
  expect(out).toContain('slot 2: 10.1.2.3:7000');
  expect(out).toContain('meta_free: blkno=3 seq=1 extents=1 free=16379');
  expect(out).toContain('[5, 16383] len=16379');
  expect(out).toContain('[64, 1048575] len=1048512');
  expect(out).toContain('INODE_INDEX.0.META_SEQ.1.1.0 seq=1: meta_seq 1 ino 1');
  expect(out).toMatch(
    /FS\.1\.INODE\.0\.0\.0 seq=1: inode mode=040755 size=0 meta_seq=1 .* nlink=2 /,
  );
  expect(out.match(/write_nr=0 no events/g)).toHaveLength(15);
  expect(InodeItem.SIZE).toBeGreaterThan(0);
});

test('mkfs refuses an existing filesystem unless --force', async () => {
  expect((await scoutfs('mkfs', '-Q', '0,127.0.0.1,1', meta, data)).exitCode).toBe(0);
  const again = await scoutfs('mkfs', '-Q', '0,127.0.0.1,1', meta, data);
  expect(again.exitCode).toBe(1);
  expect(again.stderr).toMatch(
    /^scoutfs mkfs: metadata device '.*meta\.img' already contains a scoutfs filesystem \(fsid [0-9a-f]{16}\); use --force to overwrite it\n?$/,
  );
  const forced = await scoutfs('mkfs', '--force', '-Q', '0,127.0.0.1,1', meta, data);
  expect(forced.exitCode).toBe(0);
});

test('mkfs refuses a device holding another filesystem', async () => {
  const fd = fs.openSync(data, 'r+');
  fs.writeSync(fd, Buffer.from([0x53, 0xef]), 0, 2, 1080);
  fs.closeSync(fd);
  const r = await scoutfs('mkfs', '-Q', '0,127.0.0.1,1', meta, data);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain(
    "data device '" + data + "' already contains an ext2/3/4 filesystem; use --force",
  );
});

test.each([
  [['-Q', '0,127.0.0.1'], "-Q '0,127.0.0.1': expected NR,ADDR,PORT (e.g. 0,127.0.0.1,12345)"],
  [['-Q', '15,127.0.0.1,1'], "-Q '15,127.0.0.1,1': slot number '15' must be 0..14"],
  [['-Q', '0,127.0.1,1'], "-Q '0,127.0.1,1': address '127.0.1' is not an IPv4 address (a.b.c.d)"],
  [
    ['-Q', '0,256.0.0.1,1'],
    "-Q '0,256.0.0.1,1': address '256.0.0.1' is not an IPv4 address (a.b.c.d)",
  ],
  [['-Q', '0,127.0.0.1,70000'], "-Q '0,127.0.0.1,70000': port '70000' must be 1..65535"],
  [['-Q', '1,127.0.0.1,1', '-Q', '1,127.0.0.1,2'], '-Q: slot 1 is given more than once'],
  [['-Q', '0,127.0.0.1,5', '-Q', '3,127.0.0.1,5'], '-Q: slots 0 and 3 both use 127.0.0.1:5'],
  [
    ['-Q', '0,127.0.0.1,5', '-m', 'lots'],
    "--max-meta-size: 'lots' is not a size (examples: 1048576, 64M, 2G)",
  ],
])('mkfs %j: %s', async (args, msg) => {
  const r = await scoutfs('mkfs', ...args, meta, data);
  expect(r.stderr).toBe(`scoutfs mkfs: ${msg}\n`.trimEnd());
  expect(r.exitCode).toBe(1);
});

test('mkfs without -Q is a usage error', async () => {
  const r = await scoutfs('mkfs', meta, data);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain('Missing required argument: quorum');
});

test('mkfs names the device that is too small', async () => {
  const small = sparse('small.img', '32M');
  const r = await scoutfs('mkfs', '-Q', '0,127.0.0.1,1', small, data);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toBe(
    `scoutfs mkfs: metadata device '${small}': 33554432 bytes is too small, at least 67108864 are needed`,
  );
  const r2 = await scoutfs('mkfs', '-Q', '0,127.0.0.1,1', '-d', '8M', meta, data);
  expect(r2.stderr).toBe(
    `scoutfs mkfs: data device '${data}': 8388608 bytes is too small, at least 16777216 are needed`,
  );
});

test('mkfs names paths that cannot be used', async () => {
  const missing = path.join(dir, 'nope.img');
  const r = await scoutfs('mkfs', '-Q', '0,127.0.0.1,1', missing, data);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toContain(`metadata device '${missing}' does not exist`);
  const r2 = await scoutfs('mkfs', '-Q', '0,127.0.0.1,1', meta, dir);
  expect(r2.stderr).toBe(
    `scoutfs mkfs: data device '${dir}' is neither a block device nor a regular file`,
  );
  const r3 = await scoutfs('mkfs', '-Q', '0,127.0.0.1,1', meta, meta);
  expect(r3.stderr).toBe('scoutfs mkfs: the metadata and data devices must be different');
});

test('print refuses data devices and unformatted devices', async () => {
  await scoutfs('mkfs', '-Q', '0,127.0.0.1,1', meta, data);
  const r = await scoutfs('print', data);
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toBe(
    `scoutfs print: ${data}: this is a scoutfs data device; give the metadata device`,
  );
  const blank = sparse('blank.img', '64M');
  const r2 = await scoutfs('print', blank);
  expect(r2.stderr).toBe(`scoutfs print: ${blank}: no scoutfs super block (magic 0x0)`);
});

test('print reports a corrupted super block and a corrupted btree block', async () => {
  await scoutfs('mkfs', '-Q', '0,127.0.0.1,1', meta, data);
  const fd = fs.openSync(meta, 'r+');
  /* one bit in the root leaf (64 KiB block 2) */
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, 2 * BLOCK_LG_SIZE + 100);
  b[0] ^= 1;
  fs.writeSync(fd, b, 0, 1, 2 * BLOCK_LG_SIZE + 100);
  const r = await scoutfs('print', meta);
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toMatch(
    /PROBLEM: btree block 2: bad checksum \(stored 0x[0-9a-f]+, computed 0x[0-9a-f]+\)/,
  );
  expect(r.stderr).toBe('scoutfs print: 1 damaged structure(s) found');
  /* one bit in the super block */
  fs.readSync(fd, b, 0, 1, 65536 + 200);
  b[0] ^= 1;
  fs.writeSync(fd, b, 0, 1, 65536 + 200);
  fs.closeSync(fd);
  const r2 = await scoutfs('print', meta);
  expect(r2.exitCode).toBe(1);
  expect(r2.stderr).toMatch(/^scoutfs print: .*meta\.img: super block: bad checksum/);
});

test('--help tells the commands and mkfs options', async () => {
  const r = await scoutfs('--help');
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain('scoutfs mkfs <meta-dev> <data-dev>');
  expect(r.stdout).toContain('scoutfs print <meta-dev>');
  const m = await scoutfs('mkfs', '--help');
  expect(m.stdout).toContain('-Q, --quorum');
  expect(m.stdout).toContain('-f, --force');
  const bad = await scoutfs('frobnicate');
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toContain('Unknown argument: frobnicate');
});
