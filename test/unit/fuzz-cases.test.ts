/*
 * The fuzzer's host side without a VM: cases are a pure function of the
 * seed, the index and the image, every plan applies to a rich volume, and
 * the verdicts (test/fuzz/fuzz.ts judge) fail on splats, hangs, bad errnos
 * and failed unmounts.
 */
import { inodeKey } from '../../utils/src/lib/key';
import { MetaImage } from '../../utils/src/lib/mutate';
import { makeCase, plans, shuffled } from '../fuzz/cases';
import { judge, parsePlan } from '../fuzz/fuzz';
import { S_IFIFO, Volume } from './check-volume';

let vol: Volume;
let img: MetaImage;
beforeAll(() => {
  vol = Volume.temp();
  const d = vol.mkdir(1n, 'dir');
  const f = vol.create(d, 'file', 10000n, 3n);
  vol.link(1n, 'hardlink', f);
  vol.symlink(1n, 'long', 'x'.repeat(2000));
  vol.entry(1n, 'fifo', vol.inode(vol.nextIno++, S_IFIFO | 0o600), 1);
  vol.xattr(f, 'user.big', 5000);
  const gone = vol.inode(vol.nextIno++, 0o100644, { nlink: 0 });
  vol.orphan(gone);
  /* a forest: a log btree with a copy of an fs item (equal seqs) and a deletion marker */
  vol
    .log(0x42n, 1n)
    .add(inodeKey(f), vol.find(inodeKey(f))!.value)
    .marker(inodeKey(4999n));
  img = MetaImage.open(vol.write({ fanout: 6 }).meta);
});
afterAll(() => {
  img.close();
  vol.dispose();
});

const bytes = (c: { patches: Map<bigint, Uint8Array> }) =>
  [...c.patches].map(([b, p]) => `${b}:${Buffer.from(p).toString('base64')}`).join();

test('a case is reproduced by its seed and index alone', () => {
  const list = shuffled(plans(img), 7);
  const a = [0, 1, 2, 3, 7, 100].map((i) => makeCase(img, 7, i, list));
  const b = [100, 7, 3, 2, 1, 0].map((i) => makeCase(img, 7, i, shuffled(plans(img), 7))).reverse();
  expect(a.map(bytes)).toEqual(b.map(bytes));
  expect(a.map((c) => c.what)).toEqual(b.map((c) => c.what));
  expect(new Set(a.map(bytes)).size).toBe(a.length);
  expect(a[3].op).toBe('flip');
  expect(makeCase(img, 8, 3, list).what).not.toBe(a[3].what);
  for (const c of a) expect(c.patches.size).toBeGreaterThan(0);
});

test('the plans cover every item kind, header fields and block fields', () => {
  const list = plans(img);
  const targets = new Set(list.map((p) => p.target));
  for (const k of [
    'meta_seq',
    'data_seq',
    'orphan',
    'inode',
    'xattr_hdr',
    'xattr_part',
    'dirent',
    'readdir',
    'backref',
    'symlink',
    'extent',
    'log_trees',
    'super',
    'btree_block',
    'extent_list_block',
  ])
    expect(targets).toContain(k);
  expect(list).toContainEqual({
    target: 'xattr_hdr',
    where: 'value',
    field: 'val_len',
    cls: 'xattr_max+1',
  });
  expect(list).toContainEqual({ target: 'inode', where: 'header', field: 'val_len', cls: 'max' });
  expect(list).toContainEqual({
    target: 'extent',
    where: 'value',
    field: 'blkno',
    cls: 'data_super',
  });
  /* every plan makes a set case, or a flip when its value would change nothing */
  let sets = 0;
  list.forEach((p) => {
    const c = makeCase(img, 1, 0, [p]);
    if (c.op === 'set') sets++;
    expect(c.patches.size).toBeGreaterThan(0);
  });
  expect(sets).toBeGreaterThan(list.length * 0.9);
  expect(parsePlan('inode.value.atime.nsec=ns+1')).toEqual({
    target: 'inode',
    where: 'value',
    field: 'atime.nsec',
    cls: 'ns+1',
  });
  expect(() => parsePlan('inode.nlink=0')).toThrow(/TARGET.WHERE.FIELD=CLASS/);
});

test('verdicts', () => {
  const c = makeCase(img, 1, 0, plans(img));
  const ok = {
    id: c.id,
    mount: 'ok',
    umount: 'ok',
    errors: [['rmdir', 39]],
    dmesg: '[   13.1] scoutfs (loop1): mounted\n',
  };
  expect(judge(c, ok, undefined).verdict).toBe('pass');
  expect(
    judge(c, { id: c.id, mount: 'refused', errors: [['mount', 5]], dmesg: '' }, undefined).verdict,
  ).toBe('refused');
  const splat = {
    ...ok,
    dmesg:
      '[   13.2] WARNING: CPU: 0 PID: 1 at fs/scoutfs/item.c:10 f+0x1\n[   13.3] ---[ end trace 0 ]---\n',
  };
  expect(judge(c, splat, undefined)).toMatchObject({
    verdict: 'fail',
    failure: expect.stringMatching(/^splat: WARNING: CPU: 0/),
  });
  expect(judge(c, { ...ok, timeouts: ['removexattr big'] }, undefined)).toMatchObject({
    verdict: 'fail',
    failure: 'hang (timed out)',
  });
  expect(judge(c, { ...ok, hang: { op: 'umount' } }, undefined)).toMatchObject({
    verdict: 'fail',
    failure: 'hang (uninterruptible)',
  });
  expect(judge(c, { ...ok, errors: [['read /x', 512]] }, undefined)).toMatchObject({
    verdict: 'fail',
    failure: 'bad errno',
  });
  expect(judge(c, { ...ok, umount: 'failed', errors: [['umount', 16]] }, undefined)).toMatchObject({
    verdict: 'fail',
    failure: 'umount failed',
  });
  expect(judge(c, { ...ok, mount: 'refused', dmesg: splat.dmesg }, undefined).verdict).toBe('fail');
  expect(judge(c, undefined, 'panic')).toMatchObject({ verdict: 'fail', failure: 'guest died' });
});
