// Jest globalSetup of the unit and vm projects (jest.config.js).
//
// Some tests run what the build makes: the CLI (build/, npm run build), the
// native addon (build/native/, also npm run build) and the kernel module
// (kmod/src/scoutfs.ko, make module; and kmod/build/ABI/scoutfs.ko, make
// module-6.12, when the 6.12 headers are installed).  On a fresh clone they are missing;
// rather than let each of those tests fail on its own, stop here with one
// message naming the make target.  Outputs older than their sources are
// only warned about: the tests would run the old code.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..');

// the ABI of Debian's 6.12 headers (make module-6.12 builds kmod/build/ABI/),
// or null when they are not installed
function abi612() {
  try {
    return execFileSync(path.join(root, 'scripts/kernel-abi.sh'), ['6.12'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

const NEEDS = [
  {
    file: 'build/utils/src/cli.js',
    target: 'make build',
    sources: ['utils/src', 'format'],
  },
  {
    file: 'build/native/scoutfs_native.node',
    target: 'make build',
    sources: ['utils/native'],
  },
  {
    file: 'kmod/src/scoutfs.ko',
    target: 'make module',
    sources: ['kmod/src'],
  },
];

// the newest mtime of the source files under dir (not build outputs)
function newest(dir) {
  let t = 0;
  const walk = (d) => {
    let ents;
    try {
      ents = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'build' && e.name !== 'node_modules') walk(p);
      } else if (
        /\.(ts|c|h|gyp|js)$/.test(e.name) &&
        !/\.mod\.c$|^compat-probes\.h$/.test(e.name)
      ) {
        t = Math.max(t, fs.statSync(p).mtimeMs);
      }
    }
  };
  walk(path.join(root, dir));
  return t;
}

module.exports = async function globalSetup() {
  if (process.env.SCOUTFS_TEST_SKIP_BUILD_CHECK) return;
  const abi = abi612();
  const needs = [...NEEDS];
  if (abi)
    needs.push({
      file: `kmod/build/${abi}/scoutfs.ko`,
      target: 'make module-6.12',
      sources: ['kmod/src'],
    });
  const missing = needs.filter((n) => !fs.existsSync(path.join(root, n.file)));
  if (missing.length) {
    const targets = [...new Set(missing.map((n) => n.target.replace('make ', '')))];
    const err = new Error(
      `scoutfs tests need what the build makes, and ${missing.map((n) => n.file).join(', ')} ` +
        `${missing.length > 1 ? 'are' : 'is'} missing: run 'make ${targets.join(' ')}' first ` +
        `('make test-unit' builds and runs the unit tests; 'make deps' installs what the build needs)`,
    );
    err.stack = err.message; // one message, no stack of this file
    throw err;
  }
  for (const n of needs) {
    const built = fs.statSync(path.join(root, n.file)).mtimeMs;
    const src = Math.max(...n.sources.map(newest));
    if (src > built) {
      process.stderr.write(
        `\nwarning: ${n.file} is older than its sources; the tests use it as built ('${n.target}' rebuilds it)\n`,
      );
    }
  }
};
