/**
 * The typed `request_body` variants (RequestBodyJsonObject, RequestBodyUrlEncodedForm,
 * RequestBodyPlainText, RequestBodyGraphQL). They only say how the requester encodes its body, so
 * the four live together here as one small concept.
 */
import { registerComponent, type ManifestNode } from '../registry.js';

export type RequestBodyKind = 'json' | 'form' | 'text';

export interface RequestBody {
  kind: RequestBodyKind;
  /** The manifest value (templates inside are compiled by the requester). */
  value: unknown;
}

const variants: Array<[string, (node: ManifestNode) => RequestBody, string]> = [
  ['RequestBodyJsonObject', (n) => ({ kind: 'json', value: n.value }), 'Sends a JSON object body.'],
  ['RequestBodyUrlEncodedForm', (n) => ({ kind: 'form', value: n.value }), 'Sends a form-encoded body.'],
  ['RequestBodyPlainText', (n) => ({ kind: 'text', value: n.value }), 'Sends a plain-text body.'],
  [
    'RequestBodyGraphQL',
    (n) => {
      // Airbyte posts GraphQL as JSON: {"query": ..., "variables": ..., "operationName": ...}.
      const v = (n.value ?? {}) as Record<string, unknown>;
      const body: Record<string, unknown> = { query: v.query };
      if (v.variables !== undefined) body.variables = v.variables;
      if (v.operationName !== undefined) body.operationName = v.operationName;
      return { kind: 'json', value: body };
    },
    'Sends a GraphQL query as a JSON body.',
  ],
];

for (const [type, build, description] of variants) registerComponent(type, build, description);
