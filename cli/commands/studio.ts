/** `manifold studio`: the connector builder in the browser, on the files named here (see docs/studio.md). */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';

export function registerStudioCommand(program: Command): void {
  program
    .command('studio')
    .description('edit, test-read and inspect a manifest in the browser (a local server on 127.0.0.1; see docs/studio.md)')
    .requiredOption('-m, --manifest <file>', 'manifest YAML file to edit')
    .option('-c, --config <file>', 'connector config JSON file (default: .manifold-studio/config.json beside the manifest, ignored by git)')
    .option('--replay <dir>', 'recordings folder: test reads replay from it (no network) or record into it')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)')
    .option('--open', 'open the page in the default browser')
    .action(async (opts: { manifest: string; config?: string; replay?: string; port?: string; open?: boolean }) => {
      const port = opts.port === undefined ? undefined : Number(opts.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        process.stderr.write(`manifold: --port takes a port number (got "${opts.port}")\n`);
        process.exitCode = 1;
        return;
      }
      // The server and its dependencies load only for this command.
      const { startStudio } = await import('../studio/server.js');
      let studio: Awaited<ReturnType<typeof startStudio>>;
      try {
        studio = await startStudio({ manifest: opts.manifest, config: opts.config, replay: opts.replay, port });
      } catch (e) {
        // A missing manifest, a port in use: one line, no stack.
        process.stderr.write(`manifold: ${(e as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`manifold studio: ${studio.url}\n(the token in the URL is this session's key; Ctrl-C stops the server)\n`);
      if (opts.open) openInBrowser(studio.url);
      const stop = (): void => {
        void studio.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

function openInBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '""', url] : [url];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`manifold: could not open a browser (${command}); open the URL above yourself\n`));
  child.unref();
}
