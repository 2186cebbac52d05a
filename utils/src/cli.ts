/*
 * The scoutfs command line.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UserError } from './lib/errors';
import { mkfsCommand } from './cmd/mkfs';
import { printCommand } from './cmd/print';
import { walkInodesCommand } from './cmd/walk-inodes';
import { statCommand } from './cmd/stat';
import { statfsCommand } from './cmd/statfs';
import { inoPathCommand } from './cmd/ino-path';
import { getReferringEntriesCommand } from './cmd/get-referring-entries';
import { checkCommand } from './cmd/check';
import { countersCommand } from './cmd/counters';

export async function run(argv: string[]): Promise<number> {
  let command = '';
  try {
    await yargs(argv)
      .scriptName('scoutfs')
      .usage('$0 <command> [options]\n\nUtilities for the scoutfs archival filesystem.')
      .middleware((a) => {
        command = String(a._[0] ?? '');
      })
      .command(mkfsCommand)
      .command(printCommand)
      .command(walkInodesCommand)
      .command(statCommand)
      .command(statfsCommand)
      .command(inoPathCommand)
      .command(getReferringEntriesCommand)
      .command(checkCommand)
      .command(countersCommand)
      .demandCommand(1, 'name a command (see --help)')
      .strict()
      .recommendCommands()
      .fail((msg, err, y) => {
        if (err) throw err;
        process.stderr.write(`${y.help() && ''}scoutfs: ${msg}\nRun 'scoutfs --help' for usage.\n`);
        throw new UsageExit();
      })
      .help()
      .alias('h', 'help')
      .version(false)
      .wrap(Math.min(100, process.stdout.columns || 100))
      .parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof UsageExit) return 2;
    if (e instanceof UserError) {
      process.stderr.write(`scoutfs${command ? ' ' + command : ''}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

class UsageExit extends Error {}

if (require.main === module || process.argv[1]?.endsWith('/bin/scoutfs')) {
  run(hideBin(process.argv)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(
        `scoutfs: internal error: ${e instanceof Error ? e.stack : String(e)}\n`,
      );
      process.exitCode = 70;
    },
  );
}
