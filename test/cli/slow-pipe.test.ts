/**
 * Every command exits 0 with its complete output when stdout is a pipe read by a slow consumer.
 * Before the fix, the last chunk was often still in the pipe when the command finished, the CLI
 * waited for a 'drain' that never came, and Node exited 13 with nothing on stderr.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { REPO, tempFiles } from '../helpers/cli.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { runCliThroughSlowPipe } from '../helpers/slow-pipe.js';
import { faultConfig, faultManifest } from '../faults/support.js';

// Each run starts the CLI and a slow reader: slow on a loaded machine.
jest.setTimeout(180_000);

// Output sizes that leave last chunks of many different sizes (a RECORD line is ~110 bytes).
const COUNTS = [530, 640, 750, 860, 970, 1080];

const catalog = {
  streams: [{ stream: { name: 'items', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'append' }],
};

const servers: FaultServer[] = [];
beforeAll(async () => {
  for (const count of COUNTS) servers.push(await startFaultServer({ count, pageSize: 10_000, spacingMinutes: 1 }));
});
afterAll(async () => {
  for (const s of servers) await s.close();
});

function files(server: FaultServer) {
  return tempFiles({ 'manifest.yaml': faultManifest({ incremental: false }), 'config.json': faultConfig(server), 'catalog.json': catalog });
}

describe('commands through a slowly read stdout pipe', () => {
  // Both thread modes: the engine on the main thread, and in a read worker (engine/workers).
  it.each(['1', '2'])('read: exit 0 and every record, over many runs and output sizes (--threads %s)', async (threads) => {
    for (const server of servers) {
      const f = files(server);
      const result = await runCliThroughSlowPipe([
        'read',
        '-m',
        f['manifest.yaml']!,
        '-c',
        f['config.json']!,
        '--catalog',
        f['catalog.json']!,
        '--threads',
        threads,
      ]);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      const ids = result.messages.filter((m) => m.type === 'RECORD').map((m) => m.record.data.id);
      expect(ids).toEqual(server.records.map((r) => r.id));
      expect(result.messages.at(-1)).toMatchObject({ type: 'TRACE', trace: { stream_status: { status: 'COMPLETE' } } });
    }
  });

  it('read --output: exit 0, every record in the file', async () => {
    for (const server of servers.slice(0, 3)) {
      const f = files(server);
      const dir = join(f.dir, 'out');
      const result = await runCliThroughSlowPipe([
        'read',
        '-m',
        f['manifest.yaml']!,
        '-c',
        f['config.json']!,
        '--catalog',
        f['catalog.json']!,
        '--output',
        dir,
      ]);
      expect(result.code).toBe(0);
      const lines = readFileSync(join(dir, 'items.jsonl'), 'utf8').trimEnd().split('\n');
      expect(lines.map((l) => JSON.parse(l).id)).toEqual(server.records.map((r) => r.id));
    }
  });

  it('write --dry-run: exit 0, every request and state logged', async () => {
    const manifest = join(REPO, 'manifests/clazar-destination.yaml');
    const f = tempFiles({
      'config.json': {
        client_id: 'cid',
        client_secret: 'secret-value',
        api_base_url: 'http://127.0.0.1:9',
        endpoint: { endpoint_type: 'update_listing', id_field: 'id', exclude_attributes: '' },
      },
      'catalog.json': {
        streams: [{ stream: { name: 'update_listing', json_schema: {} }, sync_mode: 'full_refresh', destination_sync_mode: 'append' }],
      },
    });
    for (const count of [400, 700]) {
      const lines: string[] = [];
      for (let i = 1; i <= count; i++) {
        lines.push(JSON.stringify({ type: 'RECORD', record: { stream: 'update_listing', data: { id: `L${i}`, title: `Listing ${i}` }, emitted_at: 1 } }));
        if (i % 10 === 0)
          lines.push(
            JSON.stringify({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'update_listing' }, stream_state: { n: i } } } }),
          );
      }
      const result = await runCliThroughSlowPipe(['write', '--dry-run', '-m', manifest, '-c', f['config.json']!, '--catalog', f['catalog.json']!], {
        stdin: lines.join('\n') + '\n',
      });
      expect(result.code).toBe(0);
      expect(result.messages.filter((m) => m.type === 'LOG' && String(m.log.message).startsWith('DRY RUN'))).toHaveLength(count);
      // A dry run echoes no STATE (nothing was written); its last line is the operation's summary.
      expect(result.messages.filter((m) => m.type === 'LOG' && /STATE not echoed/.test(m.log.message))).toHaveLength(count / 10);
      expect(result.messages.at(-1)!.log.message).toMatch(new RegExp(`update_listing: ${count} record\\(s\\)`));
    }
  });

  it('check and discover: exit 0 with their answer, run after run', async () => {
    const f = files(servers[0]!);
    for (let run = 0; run < 2; run++) {
      const check = await runCliThroughSlowPipe(['check', '-m', f['manifest.yaml']!, '-c', f['config.json']!]);
      expect(check.code).toBe(0);
      expect(check.messages.at(-1)).toEqual({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } });
      const discover = await runCliThroughSlowPipe(['discover', '-m', f['manifest.yaml']!, '-c', f['config.json']!]);
      expect(discover.code).toBe(0);
      expect(discover.messages.at(-1)!.catalog.streams.map((s: { name: string }) => s.name)).toEqual(['items']);
    }
  });
});
