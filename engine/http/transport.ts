/** Chooses the transport for services.transport from --record / --replay. */
import { networkTransport, type Transport } from './client.js';
import { recordingTransport } from './recorder.js';
import { replayTransport } from './replay.js';

type TransportOptions = { record?: string | undefined; replay?: string | undefined };

const recipes = new WeakMap<object, TransportOptions>();

export function createTransport(options: TransportOptions = {}): Transport {
  const base = options.replay ? replayTransport(options.replay) : networkTransport;
  const transport = options.record ? recordingTransport(options.record, base) : base;
  // Remembered so a read worker thread can make the same transport (engine/workers).
  if (options.record || options.replay) recipes.set(transport, { record: options.record, replay: options.replay });
  return transport;
}

/** The options a transport was made from by createTransport (undefined for any other transport). */
export function transportRecipe(transport: unknown): TransportOptions | undefined {
  if (transport === networkTransport) return {};
  return transport !== null && typeof transport === 'object' ? recipes.get(transport) : undefined;
}
