#!/usr/bin/env node
/**
 * The `manifold` command. Only argument parsing and printing live here; the work is done by the
 * engine's public API.
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
