#!/usr/bin/env node
// Damage a volume on purpose, for the corruption scenarios.
//   corrupt.js flip DEV OFFSET            xor one byte at OFFSET with 0x01
//   corrupt.js super DEV FIELD VALUE      set a super block field (e.g. format_hash, hdr.fsid)
//                                         and reseal its checksum, so only that
//                                         field is wrong
//   corrupt.js meta-block DEV BLKNO OFF   xor a byte at OFF inside 64 KiB block BLKNO
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '../../..');
const { SuperBlock } = require(path.join(root, 'build/utils/src/gen/format.js'));
const { sealBlock } = require(path.join(root, 'build/utils/src/lib/crc.js'));

function flip(dev, off) {
  const fd = fs.openSync(dev, 'r+');
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, off);
  b[0] ^= 1;
  fs.writeSync(fd, b, 0, 1, off);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
}

const [cmd, dev, a, b] = process.argv.slice(2);
if (cmd === 'flip') {
  flip(dev, Number(a));
} else if (cmd === 'meta-block') {
  flip(dev, Number(a) * 65536 + Number(b));
} else if (cmd === 'super') {
  const fd = fs.openSync(dev, 'r+');
  const buf = Buffer.alloc(4096);
  fs.readSync(fd, buf, 0, 4096, 65536);
  const sb = SuperBlock.decode(buf);
  const parts = a.split('.');
  let obj = sb;
  for (const p of parts.slice(0, -1)) obj = obj[p];
  const last = parts[parts.length - 1];
  if (!(last in obj)) throw new Error(`no super block field ${a}`);
  obj[last] = typeof obj[last] === 'bigint' ? BigInt(b) : Number(b);
  SuperBlock.encode(sb, buf);
  sealBlock(buf);
  fs.writeSync(fd, buf, 0, 4096, 65536);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
} else {
  console.error(
    'usage: corrupt.js flip DEV OFFSET | super DEV FIELD VALUE | meta-block DEV BLKNO OFF',
  );
  process.exit(2);
}
