#!/usr/bin/env node
/*
 * Builds the native addon with node-gyp into build/native/scoutfs_native.node
 * (part of `npm run build`).  node-gyp is the one npm ships (npm tells its
 * scripts where, in npm_config_node_gyp), so the project needs no extra
 * dependency; Node's own headers are used when the Node installation has
 * them (Debian/NodeSource packages put them in <prefix>/include/node), so
 * nothing is downloaded.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const here = __dirname;
const root = path.resolve(here, '../..');
const out = path.join(root, 'build/native/scoutfs_native.node');

function nodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && fs.existsSync(fromNpm)) return fromNpm;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  for (const dir of ['lib/node_modules/npm', 'lib/node_modules/npm/node_modules']) {
    const p = path.join(prefix, dir, 'node_modules/node-gyp/bin/node-gyp.js');
    if (fs.existsSync(p)) return p;
  }
  throw new Error(
    'build-native: node-gyp not found (it ships with npm; run through `npm run build`)',
  );
}

function nodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include/node/node_api.h'))) return prefix;
  return process.env.npm_config_nodedir || null;
}

const args = [nodeGyp()];
args.push(fs.existsSync(path.join(here, 'build/Makefile')) ? 'build' : 'rebuild');
args.push('--directory', here, '--loglevel', 'warn');
const dir = nodeDir();
if (dir) args.push(`--nodedir=${dir}`);

execFileSync(process.execPath, args, { stdio: 'inherit' });
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.copyFileSync(path.join(here, 'build/Release/scoutfs_native.node'), out);
