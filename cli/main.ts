#!/usr/bin/env -S node --max-semi-space-size=2 --max-old-space-size=1024
/**
 * The `manifold` command. Only argument parsing and printing live here; the work is done by the
 * engine's public API.
 *
 * The shebang tunes V8 for a streaming sync, which allocates one page of short-lived objects at a
 * time: a 2 MB young generation recycles them before they add up, and a 1 GB old-space cap makes V8
 * collect at a bounded heap instead of growing toward its multi-GB default first (measured over 1M
 * records: peak RSS 181 → ~100 MB, throughput within noise). Pages of several hundred MB still fit;
 * for more, run `node --max-old-space-size=4096 dist/cli/main.js`. Docker's entrypoint passes the
 * same flags.
 */
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { registerReadCommand } from './commands/read.js';
import { registerSourceCommands } from './commands/source-commands.js';
import { registerWriteCommand } from './commands/write.js';
import { registerAuthoringCommands } from './commands/authoring.js';

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

await program.parseAsync(process.argv);
