#!/usr/bin/env node
/**
 * The `manifold` command. Only argument parsing and printing live here; the work is done by the
 * engine's public API.
 */
import { Command } from 'commander';
import { registerReadCommand } from './commands/read.js';
import { registerSourceCommands } from './commands/source-commands.js';
import { registerWriteCommand } from './commands/write.js';
import { registerAuthoringCommands } from './commands/authoring.js';

const program = new Command();
program
  .name('manifold')
  .description('Run Airbyte-compatible declarative connector manifests (Airbyte protocol on stdout).')
  .showHelpAfterError()
  .enablePositionalOptions();

registerSourceCommands(program);
registerReadCommand(program);
registerWriteCommand(program);
registerAuthoringCommands(program);

await program.parseAsync(process.argv);
