// Command line of the VM bench (run with ts-node from the shell wrappers):
//   cli.ts suite [-I REGEX]... [-E REGEX]... [--bless] [--console]
//   cli.ts run SCRIPT [--then SCRIPT] [--no-insmod] [--module KO]... [--console]
//   cli.ts shell
import * as fs from 'fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { describeRun, runOk, SCOUTFS_KO, Vm } from './runner';
import { formatSuite, runSuite } from './suite';

function timeoutMs(seconds: number | undefined, fallback: number): number {
  const env = process.env.SCOUTFS_VM_TIMEOUT;
  return 1000 * (seconds ?? (env ? Number(env) : fallback));
}

const toStdout = (t: string): void => {
  process.stdout.write(t);
};

async function main(): Promise<number> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('vm')
    .strict()
    .command('suite', 'run the scenario suite in one boot', (y) =>
      y
        .option('include', {
          alias: 'I',
          type: 'string',
          array: true,
          describe: 'run scenarios matching REGEX',
        })
        .option('exclude', {
          alias: 'E',
          type: 'string',
          array: true,
          describe: 'skip scenarios matching REGEX',
        })
        .option('bless', {
          type: 'boolean',
          default: process.env.SCOUTFS_VM_BLESS === '1',
          describe: 'rewrite golden files from this run (scenarios that exit 0)',
        }),
    )
    .command('run <script>', 'boot and run a guest script (busybox sh)', (y) =>
      y
        .positional('script', { type: 'string', demandOption: true })
        .option('then', {
          type: 'string',
          describe: 'after a crash or power-off, boot the same disks and run this',
        })
        .option('insmod', {
          type: 'boolean',
          default: true,
          describe: 'insert the modules at boot',
        })
        .option('module', {
          type: 'string',
          array: true,
          describe: 'host .ko for the guest (default scoutfs.ko)',
        }),
    )
    .command('shell', 'interactive guest shell on this terminal')
    .option('console', {
      type: 'boolean',
      default: false,
      describe: 'stream the serial console live',
    })
    .option('timeout', { type: 'number', describe: 'seconds per boot (env SCOUTFS_VM_TIMEOUT)' })
    .demandCommand(1)
    .help()
    .parse();
  const cmd = String(argv._[0]);
  const onConsole = argv.console ? toStdout : undefined;

  if (cmd === 'suite') {
    const r = await runSuite({
      include: argv.include as string[] | undefined,
      exclude: argv.exclude as string[] | undefined,
      bless: argv.bless as boolean,
      /* without a limit given, the suite's boot limit grows with its scenarios */
      timeoutMs:
        argv.timeout !== undefined || process.env.SCOUTFS_VM_TIMEOUT
          ? timeoutMs(argv.timeout, 0)
          : undefined,
      onConsole,
    });
    process.stdout.write(formatSuite(r) + '\n');
    return r.ok ? 0 : 1;
  }

  if (cmd === 'shell') {
    const vm = Vm.create();
    try {
      const r = await vm.boot({ interactive: true, timeoutMs: timeoutMs(argv.timeout, 24 * 3600) });
      if (r.failure) process.stderr.write(describeRun(r) + '\n');
      return r.failure ? 1 : 0;
    } finally {
      vm.dispose();
    }
  }

  // run
  const modules = (argv.module as string[] | undefined) ?? [SCOUTFS_KO];
  const scripts = [argv.script as string, argv.then as string | undefined].filter(
    (s): s is string => !!s,
  );
  const vm = Vm.create();
  try {
    let status = 0;
    for (const s of scripts) {
      const r = await vm.boot({
        script: fs.readFileSync(s, 'utf8'),
        modules,
        insmod: argv.insmod as boolean,
        timeoutMs: timeoutMs(argv.timeout, 600),
        onConsole,
      });
      if (!onConsole) process.stdout.write(r.output);
      if (!runOk(r)) {
        process.stderr.write(describeRun(r) + '\n');
        return r.failure ? 1 : (r.status ?? 1);
      }
      status = r.status ?? 0;
    }
    return status;
  } finally {
    vm.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`vm: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
