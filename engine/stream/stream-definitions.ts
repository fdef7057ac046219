/**
 * The stream definitions of a manifest for one config: root `streams` (ConditionalStreams entries
 * expanded when their condition holds) followed by what `dynamic_streams` resolve to (which may
 * send requests: HttpComponentsResolver).
 */
import type { StreamDefinition } from '../contracts.js';
import { buildComponent } from '../manifest/build-context.js';
import type { EngineServices } from '../services.js';
import type { Obj } from '../types.js';

interface ExpandsToDefinitions {
  definitions(signal?: AbortSignal): StreamDefinition[] | Promise<StreamDefinition[]>;
}

export async function streamDefinitions(root: Obj, config: Obj, services: EngineServices, signal?: AbortSignal): Promise<StreamDefinition[]> {
  const out: StreamDefinition[] = [];
  const nodes = Array.isArray(root.streams) ? (root.streams as unknown[]) : [];
  nodes.forEach((node, i) => {
    const path = `streams[${i}]`;
    if ((node as Obj | null)?.type === 'ConditionalStreams') {
      out.push(...(buildComponent<ExpandsToDefinitions>(node, path, config, services).definitions() as StreamDefinition[]));
    } else {
      out.push({ node: node as Obj, path });
    }
  });
  const dynamic = Array.isArray(root.dynamic_streams) ? (root.dynamic_streams as unknown[]) : [];
  for (const [i, node] of dynamic.entries()) {
    const resolver = buildComponent<ExpandsToDefinitions>(node, `dynamic_streams[${i}]`, config, services, 'DynamicDeclarativeStream');
    const dynamicStream = dynamicStreamName(node, i);
    for (const definition of await resolver.definitions(signal)) out.push({ ...definition, dynamicStream });
  }
  return out;
}

/** How checks refer to a `dynamic_streams` entry (Airbyte's naming, unnamed entries included). */
export function dynamicStreamName(node: unknown, index: number): string {
  const name = (node as Obj | null)?.name;
  return typeof name === 'string' && name ? name : `dynamic_stream_${index}`;
}
