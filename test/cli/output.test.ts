/** The CLI's line writer: byte-identical to JSON.stringify per message, whichever path it takes. */
import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { LineWriter } from '../../cli/output.js';

async function written(messages: unknown[]): Promise<string> {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (d: Buffer) => (text += d.toString('utf8')));
  const writer = new LineWriter(sink);
  for (const m of messages) await writer.write(m);
  await writer.end();
  return text;
}

describe('LineWriter', () => {
  it('writes RECORD lines exactly as JSON.stringify of the message would', async () => {
    const messages = [
      { type: 'RECORD', record: { stream: 'users', data: { id: 1, name: 'Zoë "Z" \\ \u2028', nested: { a: [1, null] } }, emitted_at: 1700000000000 } },
      { type: 'RECORD', record: { stream: 'we"ird\nname', data: {}, emitted_at: 1 } },
      { type: 'RECORD', record: { stream: 'ns', namespace: 'public', data: { id: 2 }, emitted_at: 2 } },
      { type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'users' }, stream_state: { updated: '2024' } } } },
      { type: 'RECORD', record: { stream: 'users', data: { id: 3 }, emitted_at: 3 } },
    ];
    expect(await written(messages)).toBe(messages.map((m) => JSON.stringify(m) + '\n').join(''));
  });

  it('keeps many records in order across chunk flushes', async () => {
    const messages = Array.from({ length: 5000 }, (_, i) => ({ type: 'RECORD', record: { stream: 's', data: { i, pad: 'x'.repeat(50) }, emitted_at: i } }));
    const text = await written(messages);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(5000);
    expect(JSON.parse(lines[4999]!)).toEqual(messages[4999]);
  });
});
