#!/usr/bin/env node
/*
 * Changes one field of one item on an unmounted metadata device, in
 * place, and reseals the block's checksum: the crafted-corruption cases
 * of the VM scenarios (a checksum-valid block whose values are wrong).
 * Built on the fuzzer's image library (utils/src/lib/mutate.ts).
 *
 *   poke.js META KIND INO FIELD VALUE [NTH]
 *
 * KIND is an item kind (inode, xattr_hdr, extent, dirent, ...), INO the
 * key's first field (the inode number for FS items), FIELD a path in the
 * item's value struct (nlink, val_len, blkno, atime.nsec, ...), VALUE a
 * number, NTH which of the matching items (0, the first, by default;
 * -1 the last).  A FIELD "key.X" changes the item's key instead, and
 * FIELD and VALUE may be lists (key.zone,key.type 8,4) to change
 * several fields of the one item at once.
 * Prints the item changed and the old and new values.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '../../..');
const { MetaImage, fieldOf, readUint, KIND_STRUCT } = require(
  path.join(root, 'build/utils/src/lib/mutate.js'),
);
const { BtreeBlock, BtreeItem } = require(path.join(root, 'build/utils/src/gen/format.js'));

const [meta, kind, ino, field, value, nth = '0'] = process.argv.slice(2);
if (!value) {
  console.error('usage: poke.js META KIND INO FIELD VALUE [NTH]');
  process.exit(2);
}
const img = MetaImage.open(meta);
/* the copies the filesystem sees: with log btrees, the newest of each key */
const found = img.visibleItems().filter((it) => it.kind === kind && it.key.first === BigInt(ino));
const it = found.at(Number(nth));
if (!it) {
  console.error(`poke: no ${kind} item ${nth} of ${ino} (found ${found.length})`);
  process.exit(1);
}
const fields = field.split(',');
const values = value.split(',');
const olds = [];
fields.forEach((name, i) => {
  if (name.startsWith('key.')) {
    const f = fieldOf(BtreeItem, name);
    olds.push(
      readUint(img.block(it.blkno), BtreeBlock.SIZE + it.index * BtreeItem.SIZE + f.off, f.width),
    );
    img.setHeaderField(it, name, BigInt(values[i]));
  } else {
    const f = fieldOf(KIND_STRUCT[kind], name);
    olds.push(readUint(img.value(it), f.off, f.width));
    img.setValueField(it, name, BigInt(values[i]));
  }
});
const old = olds.join(',');
img.close();
const fd = fs.openSync(meta, 'r+');
for (const [blkno, b] of img.patches) fs.writeSync(fd, b, 0, b.length, Number(blkno << 16n));
fs.fsyncSync(fd);
fs.closeSync(fd);
console.log(`poke: ${kind} of ${ino} ${field}: ${old} -> ${value}`);
