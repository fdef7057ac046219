/**
 * CONTROL messages carrying a new connector config (a config migration, a rotated OAuth refresh
 * token) are what Airbyte's platform persists. Run from the command line there is no platform:
 * with --update-config the new config replaces the --config file (written to a temporary file
 * and renamed, so a crash never leaves half a config); without it, stderr says once that the
 * config changed, because a rotated single-use refresh token that is not kept fails the next run.
 */
import { chmod, rename, stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AirbyteMessage } from '../engine/protocol/messages.js';

export interface ConfigUpdateOptions {
  config?: string;
  updateConfig?: boolean;
}

export function addUpdateConfigOption(cmd: Command): Command {
  return cmd.option('--update-config', 'write config changes the connector announces (migrations, rotated OAuth tokens) back to the --config file');
}

/** Returns the handler for every message a command emits; it acts on CONTROL config messages only. */
export function configUpdates(opts: ConfigUpdateOptions): (message: AirbyteMessage) => Promise<void> {
  let hinted = false;
  let writes = Promise.resolve();
  return async (message) => {
    if (message.type !== 'CONTROL' || message.control.type !== 'CONNECTOR_CONFIG') return;
    const file = opts.config;
    if (!file) return;
    if (!opts.updateConfig) {
      if (!hinted) process.stderr.write(`manifold: the connector changed its config (see the CONTROL message); pass --update-config to write it to ${file}\n`);
      hinted = true;
      return;
    }
    const config = message.control.connectorConfig.config;
    // Two updates in one run (a migration, then a rotation) land in order.
    writes = writes.then(() => replaceFile(file, `${JSON.stringify(config, null, 2)}\n`));
    await writes;
    process.stderr.write(`manifold: wrote the connector's new config to ${file}\n`);
  };
}

async function replaceFile(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  const mode = (await stat(file).catch(() => undefined))?.mode;
  await writeFile(temporary, text, { mode: 0o600 });
  // A config holds secrets: the replacement keeps the original's permissions, or owner-only.
  if (mode !== undefined) await chmod(temporary, mode & 0o777);
  await rename(temporary, file);
}
