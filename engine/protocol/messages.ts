/**
 * Airbyte protocol message shapes (protocol v0.3.x) and small constructors. One JSON object per
 * line on stdout; the CLI only serialises what the engine yields.
 */
import type { FailureType } from '../errors/manifold-error.js';
import type { LogLevel } from '../services.js';
import type { Obj } from '../types.js';

export interface StreamDescriptor {
  name: string;
  namespace?: string;
}

export interface AirbyteRecordMessage {
  type: 'RECORD';
  record: { stream: string; namespace?: string; data: Obj; emitted_at: number };
}

export interface AirbyteStreamState {
  stream_descriptor: StreamDescriptor;
  stream_state: Obj | null;
}

export interface AirbyteStateMessage {
  type: 'STATE';
  state: {
    type?: 'STREAM' | 'GLOBAL' | 'LEGACY';
    stream?: AirbyteStreamState;
    global?: { shared_state?: Obj; stream_states: AirbyteStreamState[] };
    data?: Obj;
    sourceStats?: { recordCount: number };
    destinationStats?: { recordCount: number };
  };
}

export interface AirbyteLogMessage {
  type: 'LOG';
  log: { level: LogLevel; message: string; stack_trace?: string };
}

export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';

export interface AirbyteTraceMessage {
  type: 'TRACE';
  trace: {
    type: 'ERROR' | 'STREAM_STATUS' | 'ESTIMATE' | 'ANALYTICS';
    emitted_at: number;
    error?: {
      message: string;
      internal_message?: string;
      stack_trace?: string;
      failure_type: FailureType;
      stream_descriptor?: StreamDescriptor;
    };
    stream_status?: {
      stream_descriptor: StreamDescriptor;
      status: StreamStatus;
      reasons?: Array<{ type: 'RATE_LIMITED'; rate_limited?: { quota_reset?: number } }>;
    };
  };
}

export interface AirbyteSpecMessage {
  type: 'SPEC';
  spec: {
    connectionSpecification: Obj;
    documentationUrl?: string;
    advanced_auth?: Obj;
    supportsIncremental?: boolean;
    supported_destination_sync_modes?: string[];
  };
}

export interface AirbyteConnectionStatusMessage {
  type: 'CONNECTION_STATUS';
  connectionStatus: { status: 'SUCCEEDED' | 'FAILED'; message?: string };
}

export interface AirbyteStream {
  name: string;
  json_schema: Obj;
  supported_sync_modes: Array<'full_refresh' | 'incremental'>;
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
  is_resumable?: boolean;
  namespace?: string;
}

export interface AirbyteCatalog {
  streams: AirbyteStream[];
}

export interface AirbyteCatalogMessage {
  type: 'CATALOG';
  catalog: AirbyteCatalog;
}

export interface AirbyteControlMessage {
  type: 'CONTROL';
  control: { type: 'CONNECTOR_CONFIG'; emitted_at: number; connectorConfig: { config: Obj } };
}

export type AirbyteMessage =
  | AirbyteRecordMessage
  | AirbyteStateMessage
  | AirbyteLogMessage
  | AirbyteTraceMessage
  | AirbyteSpecMessage
  | AirbyteConnectionStatusMessage
  | AirbyteCatalogMessage
  | AirbyteControlMessage;

export interface ConfiguredAirbyteStream {
  stream: AirbyteStream | { name: string; namespace?: string; json_schema?: Obj; supported_sync_modes?: string[] };
  sync_mode: 'full_refresh' | 'incremental';
  destination_sync_mode?: string;
  cursor_field?: string[];
  primary_key?: string[][];
}

export interface ConfiguredAirbyteCatalog {
  streams: ConfiguredAirbyteStream[];
}

export function recordMessage(stream: string, data: Obj, emittedAt = Date.now()): AirbyteRecordMessage {
  return { type: 'RECORD', record: { stream, data, emitted_at: emittedAt } };
}

export function streamStateMessage(stream: string, state: Obj | null, recordCount?: number): AirbyteStateMessage {
  const msg: AirbyteStateMessage = {
    type: 'STATE',
    state: { type: 'STREAM', stream: { stream_descriptor: { name: stream }, stream_state: state } },
  };
  if (recordCount !== undefined) msg.state.sourceStats = { recordCount };
  return msg;
}

export function logMessage(level: LogLevel, message: string): AirbyteLogMessage {
  return { type: 'LOG', log: { level, message } };
}

export function errorTrace(
  message: string,
  failureType: FailureType,
  options: { internalMessage?: string | undefined; stream?: string | undefined; stackTrace?: string | undefined } = {},
): AirbyteTraceMessage {
  const error: NonNullable<AirbyteTraceMessage['trace']['error']> = { message, failure_type: failureType };
  if (options.internalMessage) error.internal_message = options.internalMessage;
  if (options.stackTrace) error.stack_trace = options.stackTrace;
  if (options.stream) error.stream_descriptor = { name: options.stream };
  return { type: 'TRACE', trace: { type: 'ERROR', emitted_at: Date.now(), error } };
}

export function streamStatusTrace(stream: string, status: StreamStatus): AirbyteTraceMessage {
  return {
    type: 'TRACE',
    trace: { type: 'STREAM_STATUS', emitted_at: Date.now(), stream_status: { stream_descriptor: { name: stream }, status } },
  };
}

export function controlConfigMessage(config: Obj): AirbyteControlMessage {
  return { type: 'CONTROL', control: { type: 'CONNECTOR_CONFIG', emitted_at: Date.now(), connectorConfig: { config } } };
}
