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

// dist/cli/main.js sits two levels below package.json; cli/main.ts (run with tsx) one.
const require = createRequire(import.meta.url);
const version = ((): string => {
  for (const path of ['../../package.json', '../package.json']) {
    try {
      const pkg = require(path) as { name?: string; version?: string };
      if (pkg.name === 'manifold-etl' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
})();
// `manifold --version` answers before the command modules (and the engine behind them) load.
if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  await new Promise((written) => process.stdout.write(`${version}\n`, written));
  process.exit(0);
}
const [
  { Command },
  { registerReadCommand },
  { registerSourceCommands },
  { registerWriteCommand },
  { registerAuthoringCommands },
  { registerSyncCommands },
  { registerStudioCommand },
] = await Promise.all([
  import('commander'),
  import('./commands/read.js'),
  import('./commands/source-commands.js'),
  import('./commands/write.js'),
  import('./commands/authoring.js'),
  import('./commands/sync.js'),
  import('./commands/studio.js'),
]);
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
