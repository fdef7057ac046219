/** Chooses the transport for services.transport from --record / --replay. */
import { networkTransport, type Transport } from './client.js';
import { recordingTransport } from './recorder.js';
import { replayTransport } from './replay.js';

export function createTransport(options: { record?: string | undefined; replay?: string | undefined } = {}): Transport {
  const base = options.replay ? replayTransport(options.replay) : networkTransport;
  return options.record ? recordingTransport(options.record, base) : base;
}
