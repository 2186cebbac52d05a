/*
 * A userspace C program that prints what gcc makes of the generated
 * headers: sizeof and offsetof of every struct and field, and every ioctl
 * number.  The C-vs-TS layout test compiles it with -Wall -Werror -Wpadded
 * and compares its output with the TypeScript layout.
 */
import { Layout } from '../layout';
import { cIoctl, cStruct } from '../names';
import { cHeaderComment } from './common';

export function emitLayoutDumpC(layout: Layout): string {
  const o: string[] = [
    cHeaderComment("Prints the C compiler's view of the generated layouts."),
    '#include <stdio.h>\n#include <stddef.h>\n#include "format.h"\n#include "ioctl.h"\n#include "messages.h"\n#include "ondisk_check.h"\n',
    'int main(void)',
    '{',
  ];
  for (const s of layout.structs) {
    const n = `struct ${cStruct(s.name)}`;
    o.push(`\tprintf("struct ${s.name} %zu\\n", sizeof(${n}));`);
    for (const f of s.fields)
      o.push(`\tprintf("field ${s.name}.${f.name} %zu\\n", offsetof(${n}, ${f.name}));`);
  }
  for (const i of layout.ir.ioctls)
    o.push(`\tprintf("ioctl ${i.name} 0x%08lx\\n", (unsigned long)${cIoctl(i.name)});`);
  o.push('\treturn 0;', '}', '');
  return o.join('\n');
}
