// The golden-file filters and the splat detector, on text (no boot).
import { normalise } from './normalise';
import { PROJECT_ROOT } from './runner';
import { findSplats } from './splat';

test('normalise hides volatile values and keeps the rest', () => {
  const text = [
    `node ${'/host' + PROJECT_ROOT}/bin/scoutfs and ${PROJECT_ROOT}/x`,
    'uuid 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 fsid 0x1234567890abcdef rid 00000000deadbeef',
    'uuid: 8f7d99c9fb66c997cab1b5bba1bcbfb8 hdr: magic=0x103c428b crc=0xb8111de',
    'nlink=2 atime.sec=1795321635 crtime.nsec=863000000 size=0',
    '[   12.345678] scoutfs f.123abc.r.456def: mounted',
    'ctime 1700000000.123456789 at 2025-01-02 03:04:05 or 03:04:05',
    'dev 253:1 release 6.1.0-56-amd64 blocks 12345 port 127.0.0.1:12345',
    'insmod /lib/modules/6.12.118+deb12-amd64/extra/scoutfs.ko',
  ].join('\n');
  expect(normalise(text)).toBe(
    [
      'node <root>/bin/scoutfs and <root>/x',
      'uuid <uuid> fsid <id> rid <id>',
      'uuid: <uuid> hdr: magic=0x103c428b crc=<crc>',
      'nlink=2 atime.sec=<time> crtime.nsec=<time> size=0',
      '[<ts>] scoutfs f.<fsid>.r.<rid>: mounted',
      'ctime <time> at <time> or <time>',
      'dev <dev> release <release> blocks 12345 port 127.0.0.1:12345',
      'insmod /lib/modules/<release>/extra/scoutfs.ko',
    ].join('\n'),
  );
});

test('splat detector finds warnings, lockdep, hung tasks; ignores normal lines', () => {
  const log = [
    '[    1.0] scoutfs: mount is not implemented yet',
    '[    2.0] ------------[ cut here ]------------',
    '[    2.1] WARNING: CPU: 0 PID: 1 at fs/x.c:1 f+0x1/0x2',
    '[    2.2] Call Trace:',
    '[    2.3] ---[ end trace 0000000000000000 ]---',
    '[    3.0] normal line',
    '[    4.0] WARNING: possible circular locking dependency detected',
    '[    4.1] the existing dependency chain (in reverse order) is:',
    '[    5.0] INFO: task sync:12 blocked for more than 60 seconds.',
    '[    6.0] watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [x:1]',
  ].join('\n');
  const s = findSplats(log);
  expect(s).toHaveLength(4);
  expect(s[0].split('\n')).toHaveLength(4);
  expect(s[0]).toMatch(/cut here[\s\S]*end trace/);
  expect(s[1]).toMatch(/circular locking[\s\S]*dependency chain/);
  expect(s[2]).toMatch(/blocked for more than/);
  expect(s[3]).toMatch(/soft lockup/);
  expect(
    findSplats('[    1.0] virtio_blk virtio1: [vda] 134217728 512-byte logical blocks\n'),
  ).toEqual([]);
  // Console text from the guest script is not a kernel message.
  expect(findSplats('WARNING: a tool said so\nBUG: in user space\n')).toEqual([]);
});
