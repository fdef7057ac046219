/**
 * Input state (`read --state`): Airbyte's array of AirbyteStateMessage (STREAM, GLOBAL, LEGACY,
 * optionally wrapped in `{type: STATE, state}`) or the legacy `{stream_name: state}` object, into
 * one `stream_state` per stream name. A null stream_state means "reset": the stream starts over.
 * Any other value that is not an object is a config_error, not a reset: reading the stream from
 * the start because its state was mangled would silently re-sync everything.
 */
import { ConfigError } from '../errors/manifold-error.js';
import type { Obj } from '../types.js';

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseInputState(input: unknown): Map<string, Obj> {
  const states = new Map<string, Obj>();
  if (input === undefined || input === null) return states;
  if (Array.isArray(input)) {
    for (const [i, raw] of input.entries()) readMessage(raw, i, states);
    return states;
  }
  if (!isObj(input)) throw new ConfigError('state must be a JSON array of state messages or an object keyed by stream name');
  // A single message object is as valid as a one-element array.
  if (typeof input.type === 'string' && ['STREAM', 'GLOBAL', 'LEGACY', 'STATE'].includes(input.type)) {
    readMessage(input, 0, states);
    return states;
  }
  for (const [name, state] of Object.entries(input)) putState(name, state, `state["${name}"]`, states);
  return states;
}

function readMessage(raw: unknown, index: number, into: Map<string, Obj>): void {
  if (!isObj(raw)) throw new ConfigError(`state[${index}] is not an object`);
  const message = raw.type === 'STATE' && isObj(raw.state) ? raw.state : raw;
  const type = message.type ?? (message.stream ? 'STREAM' : message.global ? 'GLOBAL' : message.data ? 'LEGACY' : undefined);
  switch (type) {
    case 'STREAM': {
      const stream = message.stream;
      if (!isObj(stream)) throw new ConfigError(`state[${index}]: STREAM state needs a "stream" object`);
      putStream(stream, index, into);
      return;
    }
    case 'GLOBAL': {
      const global = message.global;
      if (!isObj(global)) throw new ConfigError(`state[${index}]: GLOBAL state needs a "global" object`);
      for (const stream of Array.isArray(global.stream_states) ? global.stream_states : []) {
        if (!isObj(stream)) throw new ConfigError(`state[${index}]: every entry of global.stream_states must be an object`);
        putStream(stream, index, into);
      }
      return;
    }
    case 'LEGACY': {
      if (isObj(message.data)) for (const [name, state] of Object.entries(message.data)) putState(name, state, `state[${index}].data["${name}"]`, into);
      return;
    }
    default:
      throw new ConfigError(`state[${index}]: unknown state type ${JSON.stringify(type)} (expected STREAM, GLOBAL or LEGACY)`);
  }
}

function putStream(stream: Obj, index: number, into: Map<string, Obj>): void {
  const descriptor = stream.stream_descriptor;
  const name = isObj(descriptor) ? descriptor.name : undefined;
  if (typeof name !== 'string') throw new ConfigError(`state[${index}]: stream_descriptor.name is missing`);
  putState(name, stream.stream_state, `state[${index}] (stream "${name}"): stream_state`, into);
}

function putState(name: string, state: unknown, where: string, into: Map<string, Obj>): void {
  if (isObj(state)) into.set(name, state);
  else if (state === null || state === undefined) into.delete(name);
  else throw new ConfigError(`${where} must be an object, or null to start the stream over (got ${excerpt(state)})`);
}

/** A value as errors quote it: JSON, cut short (a state may be large). */
export function excerpt(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The input state's cursor value cannot be read. Not a reset: starting from start_datetime or
 * start_value would silently re-sync the whole stream, so the stream fails with a config_error
 * saying how to start over on purpose.
 */
export function unreadableStateValue(stream: string, field: string, value: unknown, expected: string): ConfigError {
  return new ConfigError(
    `${stream}: the input state's cursor value ${field}=${excerpt(value)} is not ${expected}. ` +
      "Fix the state, or set this stream's stream_state to null to read it from the start",
  );
}

/** The STREAM state message a source emits for one stream. */
export function streamStateMessage(name: string, state: Obj, namespace?: string): Obj {
  return {
    type: 'STREAM',
    stream: { stream_descriptor: namespace === undefined ? { name } : { name, namespace }, stream_state: state },
  };
}
