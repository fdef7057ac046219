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

function graphQlBody(n: ManifestNode): RequestBody {
  // Airbyte posts GraphQL as JSON: {"query": ..., "variables": ..., "operationName": ...}.
  const v = (n.value ?? {}) as Record<string, unknown>;
  const body: Record<string, unknown> = { query: v.query };
  if (v.variables !== undefined) body.variables = v.variables;
  if (v.operationName !== undefined) body.operationName = v.operationName;
  return { kind: 'json', value: body };
}

registerComponent('RequestBodyJsonObject', (n): RequestBody => ({ kind: 'json', value: n.value }), 'Sends a JSON object body.');
registerComponent('RequestBodyUrlEncodedForm', (n): RequestBody => ({ kind: 'form', value: n.value }), 'Sends a form-encoded body.');
registerComponent('RequestBodyPlainText', (n): RequestBody => ({ kind: 'text', value: n.value }), 'Sends a plain-text body.');
registerComponent('RequestBodyGraphQL', graphQlBody, 'Sends a GraphQL query as a JSON body.');
