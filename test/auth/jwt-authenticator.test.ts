/**
 * JwtAuthenticator through the real Source (msw): the request carries a JWT whose header,
 * payload and signature verify (HS256 with a base64-encoded secret, RS256 with a generated key),
 * with the configured prefix, claims, timings and request option.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { createHmac, createVerify, generateKeyPairSync } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Source } from '../../engine/source/source.js';
import type { Obj } from '../../engine/types.js';

function manifest(auth: string): string {
  return `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
streams:
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: http://api.test
        path: /items
        authenticator:
${auth}
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
`;
}

const seen: Request[] = [];
const server = setupServer(
  http.get('http://api.test/items', ({ request }) => {
    seen.push(request);
    return HttpResponse.json([{ id: 1 }]);
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  seen.length = 0;
});
afterAll(() => server.close());

async function read(text: string, config: Obj): Promise<Obj[]> {
  const source = await Source.fromText(text, 'jwt.yaml', { logLevel: 'ERROR' });
  const records: Obj[] = [];
  for await (const m of source.read(config)) {
    const msg = m as unknown as { type: string; record?: { data: Obj }; trace?: { error?: { message: string } } };
    if (msg.type === 'RECORD') records.push(msg.record!.data);
    if (msg.type === 'TRACE' && msg.trace?.error) throw new Error(msg.trace.error.message);
  }
  return records;
}

function decode(token: string): { header: Obj; payload: Obj; input: string; signature: Buffer } {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Obj,
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) as Obj,
    input: `${h}.${p}`,
    signature: Buffer.from(s!, 'base64url'),
  };
}

describe('JwtAuthenticator', () => {
  it('HS256: Bearer prefix, claims, timings, extra headers/payload, base64-encoded secret', async () => {
    const records = await read(
      manifest(`          type: JwtAuthenticator
          secret_key: "{{ config['secret'] }}"
          base64_encode_secret_key: true
          algorithm: HS256
          token_duration: 600
          header_prefix: Bearer
          jwt_headers: { kid: "{{ config['key_id'] }}" }
          additional_jwt_headers: { region: eu }
          jwt_payload: { iss: "{{ config['issuer'] }}", aud: api.test }
          additional_jwt_payload: { scope: read }`),
      { secret: 's3cret-value', key_id: 'k1', issuer: 'me@example.com' },
    );
    expect(records).toEqual([{ id: 1 }]);
    const auth = seen[0]!.headers.get('authorization')!;
    expect(auth.startsWith('Bearer ')).toBe(true);
    const jwt = decode(auth.slice('Bearer '.length));
    expect(jwt.header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k1', region: 'eu' });
    expect(jwt.payload).toMatchObject({ iss: 'me@example.com', aud: 'api.test', scope: 'read' });
    expect(jwt.payload.exp).toBe((jwt.payload.iat as number) + 600);
    expect(jwt.payload.nbf).toBe(jwt.payload.iat);
    expect(Math.abs((jwt.payload.iat as number) - Date.now() / 1000)).toBeLessThan(60);
    const key = Buffer.from('s3cret-value').toString('base64');
    expect(createHmac('sha256', key).update(jwt.input).digest().equals(jwt.signature)).toBe(true);
  });

  it('RS256 with a PEM key from config, injected through request_option', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await read(
      manifest(`          type: JwtAuthenticator
          secret_key: "{{ config['private_key'] }}"
          algorithm: RS256
          jwt_payload: { sub: svc }
          request_option: { type: RequestOption, inject_into: header, field_name: X-Jwt }`),
      { private_key: pem.replace(/\n/g, '\\n') },
    );
    const jwt = decode(seen[0]!.headers.get('x-jwt')!);
    expect(jwt.header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(jwt.payload.exp).toBe((jwt.payload.iat as number) + 1200);
    expect(createVerify('RSA-SHA256').update(jwt.input).verify(publicKey, jwt.signature)).toBe(true);
    expect(seen[0]!.headers.get('authorization')).toBeNull();
  });

  it('an unknown algorithm is a located manifest error', async () => {
    const text = manifest(`          type: JwtAuthenticator
          secret_key: x
          algorithm: NONE`);
    await expect(Source.fromText(text, 'jwt.yaml').then((s) => s.discover({}))).rejects.toThrow(/algorithm/);
  });
});
