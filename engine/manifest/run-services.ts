/**
 * The services of one Source or Destination run: the caller's options, the file policy of the
 * manifest's folder, and the manifest's warnings logged first.
 */
import { formatLocation } from '../errors/manifold-error.js';
import { FilePolicy } from '../files/file-policy.js';
import type { Transport } from '../http/client.js';
import type { Limits } from '../limits/limits.js';
import type { AirbyteMessage } from '../protocol/messages.js';
import { createServices, type EngineServices, type LogLevel, type SecretRegistry } from '../services.js';
import type { HttpEvent } from '../types.js';
import type { LoadedManifest } from './loader.js';
import { manifestWarnings } from './validate.js';

/** The options Source and Destination share for a run. */
export interface RunServiceOptions {
  logLevel?: LogLevel | undefined;
  backoffScale?: number | undefined;
  transport?: Transport | undefined;
  onHttp?: ((event: HttpEvent) => void) | undefined;
  allowPaths?: string[] | undefined;
  limits?: Partial<Limits> | undefined;
}

export function runServices(
  manifest: LoadedManifest,
  options: RunServiceOptions,
  secrets: SecretRegistry,
  io: { logSink?: ((level: LogLevel, message: string) => void) | undefined; emit: (message: AirbyteMessage) => void },
): EngineServices {
  const services = createServices({
    secrets,
    logLevel: options.logLevel ?? 'INFO',
    backoffScale: options.backoffScale ?? 1,
    transport: options.transport,
    files: FilePolicy.forManifest(manifest.file, options.allowPaths),
    limits: options.limits,
    logSink: io.logSink,
    emit: io.emit,
  });
  if (options.onHttp) services.onHttp.push(options.onHttp);
  for (const w of manifestWarnings(manifest)) services.logger.warn(`${formatLocation(w.location)}: ${w.message}`);
  return services;
}
