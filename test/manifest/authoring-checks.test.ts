import { describe, it, expect } from '@jest/globals';
import { checkTemplates, checkUnknownKeys, loadManifestText } from '../../engine/manifest/index.js';

// The tutorial's layout: requester and selector under definitions, used by two streams.
const PLANTED = `version: 6.0.0
type: DeclarativeSource
definitions:
  requester:
    type: HttpRequester
    url_base: https://api.example.com
    authenticator:
      type: BearerAuthenticator
      api_token: "{{ config['api_token'] }"
  stream:
    type: DeclarativeStream
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: "/{{ parameters.name }}"
        request_parameters:
          region: "{{ confg['region'] }}"
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: "{{ config['start'] }}"
      start_time_opton:
        type: RequestOption
        inject_into: request_parameter
        field_name: since
check:
  type: CheckStream
  stream_names: [tasks]
streams:
  - $ref: "#/definitions/stream"
    name: tasks
    $parameters: { name: tasks }
  - $ref: "#/definitions/stream"
    name: projects
    $parameters: { name: projects }
spec:
  type: Spec
  connection_specification: { type: object, properties: {} }
`;

describe('authoring checks (manifold validate)', () => {
  const m = loadManifestText(PLANTED, 'm.yaml');

  it('reports a template syntax error at its field, once, with every stream that uses it', () => {
    const problems = checkTemplates(m);
    const syntax = problems.find((p) => p.message.includes(`config['api_token'] }`))!;
    expect(syntax).toBeDefined();
    expect(syntax.location).toMatchObject({ file: 'm.yaml', line: 9, column: 7 });
    expect(syntax.message).toMatch(/used in 2 places: streams\[0\]\..*authenticator\.api_token, streams\[1\]\./);
    expect(problems.filter((p) => p.message.includes('api_token'))).toHaveLength(1);
  });

  it('reports an undeclared variable with a did-you-mean', () => {
    const undeclared = checkTemplates(m).find((p) => p.message.includes("'confg'"))!;
    expect(undeclared.message).toMatch(/undeclared variable 'confg'; did you mean config/);
    expect(undeclared.location).toMatchObject({ line: 18, column: 11 });
    expect(undeclared.message).toContain('used in 2 places');
  });

  it('reports an unknown filter with a did-you-mean', () => {
    const text = PLANTED.replace(`"{{ config['start'] }}"`, `"{{ config['start'] | uper }}"`);
    const problems = checkTemplates(loadManifestText(text, 'm.yaml'));
    expect(problems.find((p) => p.message.includes('uper'))?.message).toMatch(/No filter named 'uper'.*Did you mean upper/);
  });

  it('warns about a misspelled optional field, with a did-you-mean, once for both streams', () => {
    const warnings = checkUnknownKeys(m);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ severity: 'warning', location: { line: 27, column: 7 } });
    expect(warnings[0]!.message).toMatch(/DatetimeBasedCursor has no field "start_time_opton".*did you mean start_time_option\?/);
  });

  it('says nothing about a correct manifest', () => {
    const fixed = PLANTED.replace(`'api_token'] }"`, `'api_token'] }}"`).replace('confg', 'config').replace('start_time_opton', 'start_time_option');
    const ok = loadManifestText(fixed, 'm.yaml');
    expect(checkTemplates(ok)).toEqual([]);
    expect(checkUnknownKeys(ok)).toEqual([]);
  });
});
