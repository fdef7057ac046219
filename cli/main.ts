#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=50
/**
 * The `manifold` command. Only argument parsing and printing live here; the work is done by the
 * engine's public API.
 *
 * The shebang sets V8's heap for a sync's allocation pattern (bench/RESULTS.md has the measurements):
 * a page of records lives from its response until its lines are written, so the young generation
 * must hold a few pages for them to die young (16 MB semi-spaces; at 2 MB every page was promoted
 * and scenario 2 spent 15% more CPU). What does get promoted, and the response buffers V8 only
 * frees with the old generation, would pile up to ~190 MB between major GCs at V8's default
 * growth: --heap-growing-percent=50 collects the old generation once it has grown by half
 * (peak RSS 130-145 MB over 1M records, flat after warm-up). Docker's entrypoint passes the same flags.
 */
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { registerReadCommand } from './commands/read.js';
import { registerSourceCommands } from './commands/source-commands.js';
import { registerWriteCommand } from './commands/write.js';
import { registerAuthoringCommands } from './commands/authoring.js';
import { registerSyncCommands } from './commands/sync.js';
import { registerStudioCommand } from './commands/studio.js';

// dist/cli/main.js sits two levels below package.json; cli/main.ts (run with tsx) one.
const require = createRequire(import.meta.url);
const version = ((): string => {
  for (const path of ['../../package.json', '../package.json']) {
    try {
      const pkg = require(path) as { name?: string; version?: string };
      if (pkg.name === 'manifold' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
})();
const program = new Command();
program
  .name('manifold')
  .description('Run Airbyte-compatible declarative connector manifests (Airbyte protocol on stdout).')
  .version(version)
  .showHelpAfterError()
  .enablePositionalOptions();

registerSourceCommands(program);
registerReadCommand(program);
registerWriteCommand(program);
registerAuthoringCommands(program);
registerSyncCommands(program);
registerStudioCommand(program);

await program.parseAsync(process.argv);
