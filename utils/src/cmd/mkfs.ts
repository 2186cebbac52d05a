import type { Argv, CommandModule } from 'yargs';
import { humanSize, parseSize } from '../lib/units';
import { mkfs, parseQuorumArg } from '../lib/mkfs';
import { FORMAT_HASH_HEX } from '../gen/hash';
import { FORMAT_VERSION_MAX } from '../gen/format';

interface Args {
  'meta-dev': string;
  'data-dev': string;
  quorum: string | string[];
  force: boolean;
  'max-meta-size'?: string;
  'max-data-size'?: string;
}

export const mkfsCommand: CommandModule<object, Args> = {
  command: 'mkfs <meta-dev> <data-dev>',
  describe:
    'Write a new, empty scoutfs filesystem to a metadata and a data device (block devices or regular files)',
  builder: (y: Argv) =>
    y
      .positional('meta-dev', {
        type: 'string',
        demandOption: true,
        describe: 'metadata device (at least 64 MiB)',
      })
      .positional('data-dev', {
        type: 'string',
        demandOption: true,
        describe: 'data device (at least 16 MiB)',
      })
      .option('quorum', {
        alias: 'Q',
        type: 'string',
        requiresArg: true,
        demandOption: true,
        describe:
          'quorum slot NR,ADDR,PORT (slot 0..14, IPv4 address, port); repeat for more slots',
      })
      .option('force', {
        alias: 'f',
        type: 'boolean',
        default: false,
        describe: 'overwrite an existing filesystem',
      })
      .option('max-meta-size', {
        alias: 'm',
        type: 'string',
        describe: 'use at most this much of the metadata device (e.g. 1G)',
      })
      .option('max-data-size', {
        alias: 'd',
        type: 'string',
        describe: 'use at most this much of the data device (e.g. 10G)',
      }) as unknown as Argv<Args>,
  handler: (a) => {
    const res = mkfs({
      metaPath: a['meta-dev'],
      dataPath: a['data-dev'],
      quorum: ([] as string[]).concat(a.quorum).map(parseQuorumArg),
      force: a.force,
      maxMetaBytes:
        a['max-meta-size'] === undefined
          ? undefined
          : parseSize('--max-meta-size', a['max-meta-size']),
      maxDataBytes:
        a['max-data-size'] === undefined
          ? undefined
          : parseSize('--max-data-size', a['max-data-size']),
    });
    const lines = [
      'Created scoutfs filesystem:',
      `  meta device:     ${a['meta-dev']}`,
      `  data device:     ${a['data-dev']}`,
      `  fsid:            ${res.fsid.toString(16).padStart(16, '0')}`,
      `  uuid:            ${Buffer.from(res.uuid).toString('hex')}`,
      `  format version:  ${FORMAT_VERSION_MAX}`,
      `  format hash:     ${FORMAT_HASH_HEX}`,
      `  metadata blocks: ${res.totalMetaBlocks} x 64 KiB (${humanSize(res.totalMetaBlocks << 16n)})`,
      `  data blocks:     ${res.totalDataBlocks} x 4 KiB (${humanSize(res.totalDataBlocks << 12n)})`,
      `  quorum slots:    ${res.quorum.map((q) => `${q.nr}: ${q.addr}:${q.port}`).join(', ')}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  },
};
