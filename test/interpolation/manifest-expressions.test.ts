import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import {
  InterpolatedBoolean,
  InterpolatedMapping,
  InterpolatedString,
  compiledTemplateCount,
  setNowForTesting,
  type InterpolationContext,
} from '../../engine/interpolation/index.js';
import { ConfigError } from '../../engine/errors/manifold-error.js';

const config = {
  api_key: 'k-123',
  start_date: '2023-01-15T00:00:00Z',
  end_date: '',
  page_limit: 50,
  fields: ['a', 'b'],
  credentials: { client_id: 'id', client_secret: 'sec', access_token: 'tok' },
  lat: '45.5',
  nested: { flag: true, none: null },
  domain: 'shop.example.com',
  'dash-key': 'dash',
};
const response = {
  data: [
    { id: 1, name: 'x' },
    { id: 2, name: 'y', active: true },
  ],
  page_info: { end_cursor: 'abc', has_next_page: false },
  paging: { current_page: '3' },
  next: null,
  hasNext: false,
  meta: { total: 100 },
};
const ctx: InterpolationContext = {
  config,
  response,
  headers: { link: { next: { url: 'https://api/x?page=2', rel: 'next' } }, 'x-total': '7' },
  last_record: { id: 9, updated_at: '2024-05-01T10:00:00Z' },
  last_page_size: 2,
  record: { id: 'r1', updated_at: '2024-05-01T10:00:00.123Z', price: '4.50', tags: ['a', 'b'], attributes: { updated_at: 'x' }, phone: '123' },
  stream_slice: { start_time: '2024-01-01T00:00:00Z', end_time: '2024-01-31T23:59:59Z', id: 42, advertiser_campaign_id: 'c-77' },
  next_page_token: { next_page_token: 'tok2' },
};

const CASES: Array<[string, unknown]> = [
  ["{{ config['api_key'] }}", 'k-123'],
  ['{{ config["api_key"] }}', 'k-123'],
  ['{{ config.api_key }}', 'k-123'],
  ["{{ config['credentials']['access_token'] }}", 'tok'],
  ["{{ config['dash-key'] }}", 'dash'],
  ['{{ config.page_limit }}', 50],
  ["{{ config['page_limit'] * 2 }}", 100],
  ["{{ config.get('missing', 'dflt') }}", 'dflt'],
  ["{{ config.get('missing') }}", null],
  ["{{ config.get('end_date', day_delta(1, format='%Y-%m-%d')) }}", undefined],
  ["{{ config['end_date'] or now_utc().strftime('%Y-%m-%d') }}", '2024-06-15'],
  ["{{ config['end_date'] if config['end_date'] else today_utc() }}", '2024-06-15'],
  ["{{ config.get('start_date', (now_utc() - duration('P730D')).strftime('%Y-%m-%d')) }}", '2023-01-15T00:00:00Z'],
  ["{{ (now_utc() - duration('P30D')).strftime('%Y-%m-%d') }}", '2024-05-16'],
  ["{{ now_utc().strftime('%d/%m/%Y %H:%M') }}", '15/06/2024 12:30'],
  ['{{ now_utc().isoformat() }}', '2024-06-15T12:30:00+00:00'],
  ['{{ now_utc().timestamp() | int }}', 1718454600],
  ["{{ day_delta(-2, format='%Y-%m-%dT%H:%M:%SZ') }}", '2024-06-13T12:30:00Z'],
  ["{{ format_datetime(config['start_date'], '%Y-%m-%d') }}", '2023-01-15'],
  ["{{ format_datetime(now_utc(), '%Y-%m-%dT%H:%M:%S.%fZ') }}", '2024-06-15T12:30:00.000000Z'],
  ["{{ timestamp(config['start_date']) * 1000 }}", 1673740800000],
  ["{{ (timestamp(config['start_date']) * 1000) | int }}", 1673740800000],
  ["{{ str_to_datetime(config['start_date']).strftime('%s') }}", 1673740800],
  ["{{ format_datetime(stream_interval['start_time'], '%s') }}", 1704067200],
  ["{{ stream_slice['start_time'] }}", '2024-01-01T00:00:00Z'],
  ['{{ stream_interval.end_time }}', '2024-01-31T23:59:59Z'],
  ["{{ stream_partition['id'] }}", 42],
  ['{{ stream_partition.advertiser_campaign_id.split("-")[1] }}', 77],
  ['{{ stream_partition.advertiser_campaign_id.split("-")[0] }}', 'c'],
  ['{{ next_page_token.next_page_token }}', 'tok2'],
  ["{{ next_page_token['next_page_token'] }}", 'tok2'],
  ['{{ response.page_info.end_cursor }}', 'abc'],
  ['{{ not response.page_info.has_next_page }}', true],
  ["{{ not response.get('hasMore', False) }}", true],
  ["{{ response.get('cursor', '') }}", undefined],
  ['{{ response.get("cursor_next", {}) }}', {}],
  ["{{ response['hasNext'] is false }}", true],
  ["{{ response.get('nextPageToken') is none }}", true],
  ["{{ response.get('nextPageToken') is not defined }}", false],
  ['{{ response.nextPageToken is not defined }}', true],
  ['{{ response.paging.current_page | int + 1 }}', 4],
  ['{{ response.data | length }}', 2],
  ['{{ response.data[-1].name }}', 'y'],
  ['{{ response.data[0:1] }}', [{ id: 1, name: 'x' }]],
  ["{{ response.data | map(attribute='id') | list }}", [1, 2]],
  ["{{ response.data | selectattr('active') | map(attribute='name') | first }}", 'y'],
  ["{{ response.data | selectattr('id', 'equalto', 1) | list | length }}", 1],
  ['{{ response.data | last }}', { id: 2, name: 'y', active: true }],
  ['{{ response.meta.total > last_page_size * 10 }}', true],
  ['{{ last_record.id }}', 9],
  ["{{ last_record['updated_at'] }}", '2024-05-01T10:00:00Z'],
  ["{{ headers['link']['next']['url'] }}", 'https://api/x?page=2'],
  ["{{ 'next' not in headers['link'] }}", false],
  ["{{ headers['x-total'] | int }}", 7],
  ['{{ last_page_size < 50 }}', true],
  ["{{ record['price'] | float }}", 4.5],
  ['{{ record["attributes"]["updated_at"] }}', 'x'],
  ['{{ record.tags | join(",") }}', 'a,b'],
  ['{{ record.tags | join(":") | upper }}', 'A:B'],
  ["{{ ','.join(config['fields']) }}", 'a,b'],
  ["{{ ','.join(config.get('symbols', [])) }}", undefined],
  ["{{ record['phone'] | hash('md5') }}", '202cb962ac59075b964b07152d234b70'],
  ["{{ (config['credentials']['client_id'] + ':' + config['credentials']['client_secret']) | base64encode }}", 'aWQ6c2Vj'],
  ["{{ [config['credentials']['client_id'], config['credentials']['client_secret']] | join(':') | base64encode }}", 'aWQ6c2Vj'],
  ["{{ config['domain'].replace('.', '_').upper() }}", 'SHOP_EXAMPLE_COM'],
  ["{{ config['domain'].startswith('shop') and config['domain'].endswith('.com') }}", true],
  ["{{ '  x '.strip() ~ '|' }}", 'x|'],
  ["{{ 'Hello {}'.format('you') }}", 'Hello you'],
  ["{{ 'a-b-c'.split('-', 1) }}", ['a', 'b-c']],
  ['{{ camel_case_to_snake_case("SomeName") }}', 'some_name'],
  ["{{ sanitize_url('a b&c') }}", 'a+b%26c'],
  ['{{ 7 // 2 }}-{{ -7 // 2 }}-{{ -7 % 3 }}-{{ 2 ** 10 }}', '3--4-2-1024'],
  ['{{ 1 if 2 > 1 else 0 }}', 1],
  ['{{ {"a": 1, "b": [True, None]} }}', { a: 1, b: [true, null] }],
  ['{{ (1, 2) }}', [1, 2]],
  ['{{ "x" ~ 1 ~ none }}', 'x1None'],
  ['{{ 5 in [1, 5] and "a" in "cat" }}', true],
  ['{{ config.nested.none.deeper }}', undefined],
  ['{{ config.missing.deeper }}', undefined],
  ['{{ config.missing | default("fallback") }}', 'fallback'],
  ['{{ config.nested.none | default("kept-none") }}', null],
  ['{{ config.end_date | default("x", true) }}', 'x'],
  ['{{ max(3, 7, 5) }}-{{ min([4, 2]) }}', '7-2'],
  ['{% if -90.00 <= config["lat"]|float <= 90.00 %}ok{% else %}bad{% endif %}', 'ok'],
  ['{% if config.get("nope", false) %}a{% elif config.page_limit > 10 %}b{% else %}c{% endif %}', 'b'],
  ['{% for f in config.fields %}{{ f }}{% if not loop.last %},{% endif %}{% endfor %}', 'a,b'],
  ['{% for k, v in config.credentials.items() %}{{ k }}={{ v }};{% endfor %}', 'client_id=id;client_secret=sec;access_token=tok;'],
  ['{% set v = record.get("price") %}{{ v | replace(".", "-") }}', '4-50'],
  ['{{ record.price | replace(".", ",") }}', [4, 50]],
  ['{%- set x = 1 -%}\n  {{ x + 1 }}  ', 2],
  ['{# comment #}{{ "a" }}', 'a'],
  ['page={{ last_page_size + 1 }}', 'page=3'],
  ['{{ record }}', ctx.record],
  ["{{ 'abc'[1:] }}{{ 'abc'[::-1] }}", 'bccba'],
  ['{{ [3,1,2] | sort | list }}', [1, 2, 3]],
  ['{{ ["a","A","b"] | unique | list }}', ['a', 'b']],
  ['{{ 3.14159 | round(2) }}', 3.14],
  ['{{ {"b": 1, "a": "<x>"} | tojson }}', { a: '<x>', b: 1 }],
  ['{{ {"q": "a b", "n": 1} | urlencode }}', 'q=a+b&n=1'],
  ['{{ "a/b c" | urlencode }}', 'a/b%20c'],
  ['{{ "007" }}', '007'],
  ['{{ "12" }}', 12],
  ['{{ config.page_limit | string }}', '50'],
  ['{{ 10 / 4 }}', 2.5],
  ['{{ "x,y" | regex_replace(",", ";") }}', 'x;y'],
  ['{{ duration("P1D").total_seconds() | int }}', 86400],
  ['{{ (str_to_datetime("2024-03-01") - str_to_datetime("2024-02-01")).days }}', 29],
  ['{{ str_to_datetime("2024-01-31") + duration("P1M") }}', '2024-02-29 00:00:00+00:00'],
];

describe('expressions used by real manifests', () => {
  beforeAll(() => setNowForTesting(new Date('2024-06-15T12:30:00Z')));
  afterAll(() => setNowForTesting(undefined));
  it('has a large hand-written corpus', () => expect(CASES.length).toBeGreaterThanOrEqual(60));
  it.each(CASES)('%s', (template, expected) => {
    expect(InterpolatedString.create(template).eval(ctx)).toEqual(expected);
  });
});

describe('InterpolatedString API', () => {
  it('returns static strings unchanged and untyped', () => {
    const s = InterpolatedString.create('100');
    expect(s.isStatic).toBe(true);
    expect(s.eval(ctx)).toBe('100');
    expect(InterpolatedString.create(5).eval(ctx)).toBe(5);
  });
  it('evaluates the default when the result is undefined or empty', () => {
    const s = InterpolatedString.create("{{ config['end_date'] }}", { default: "{{ config['start_date'] }}" });
    expect(s.eval(ctx)).toBe('2023-01-15T00:00:00Z');
    expect(InterpolatedString.create('{{ config.missing.x }}', { default: 'none-here' }).eval(ctx)).toBe('none-here');
  });
  it('evalString renders with Python str()', () => {
    expect(InterpolatedString.create('{{ {"a": True, "b": None} }}').evalString(ctx)).toBe("{'a': True, 'b': None}");
    expect(InterpolatedString.create('{{ 12 }}').evalString(ctx)).toBe('12');
    expect(InterpolatedString.create('{{ config.missing }}').evalString(ctx)).toBe('');
  });
  it('uses its own parameters, falling back to the context', () => {
    expect(InterpolatedString.create('{{ parameters.name }}', { parameters: { name: 'users' } }).eval(ctx)).toBe('users');
    expect(InterpolatedString.create('{{ parameters.name }}').eval({ ...ctx, parameters: { name: 'ctx' } })).toBe('ctx');
  });
  it('rejects undeclared variables and syntax errors with config errors', () => {
    expect(() => InterpolatedString.create('{{ to_be }}').eval(ctx)).toThrow(ConfigError);
    expect(() => InterpolatedString.create('{{ range(3) }}').eval(ctx)).toThrow(/undeclared/);
    expect(() => InterpolatedString.create('{{ 1 + }}')).toThrow(ConfigError);
    expect(() => InterpolatedString.create('{{ x | nosuchfilter }}')).toThrow(/No filter named/);
    expect(() => InterpolatedString.create('{{ "a" + 1 }}').eval(ctx)).toThrow(ConfigError);
  });
  it('supports stream_state only when it is passed', () => {
    const s = InterpolatedString.create("{{ stream_state.get('cursor', 'none') }}");
    expect(() => s.eval(ctx)).toThrow(/stream_state/);
    expect(s.eval({ ...ctx, stream_state: { cursor: 'c1' } })).toBe('c1');
  });
  it('sees extra context variables (AsyncRetriever, dynamic streams)', () => {
    expect(InterpolatedString.create('{{ creation_response.id }}').eval({ config, creation_response: { id: 'job1' } })).toBe('job1');
  });
});

describe('InterpolatedBoolean', () => {
  it.each([
    ['{{ response.hasNext is false }}', true],
    ["{{ 'False' }}", false],
    ['{{ [] }}', false],
    ['{{ 0.0 }}', false],
    ['{{ none }}', true],
    ['{{ response.next }}', true],
    ['{{ config.missing }}', false],
    ["{{ record['id'] == 'r1' }}", true],
    [undefined, false],
    [true, true],
  ])('%s → %s', (condition, expected) => {
    expect(new InterpolatedBoolean(condition).eval(ctx)).toBe(expected);
  });
});

describe('InterpolatedMapping', () => {
  it('interpolates keys and values, types static strings, recurses', () => {
    const m = new InterpolatedMapping(
      { limit: '100', since: "{{ stream_slice['start_time'] }}", '{{ parameters.k }}': 'v', nested: ['{{ 1 + 1 }}', { x: '{{ config.missing }}' }], n: 3 },
      { k: 'key' },
    );
    expect(m.eval(ctx)).toEqual({ limit: 100, since: '2024-01-01T00:00:00Z', key: 'v', nested: [2, { x: undefined }], n: 3 });
  });
});

describe('compilation cache', () => {
  it('compiles a template source once and reuses it', () => {
    const source = "{{ config['api_key'] ~ 'cache-probe' }}";
    const before = compiledTemplateCount();
    const a = InterpolatedString.create(source);
    const b = InterpolatedString.create(source);
    for (let i = 0; i < 100; i++) expect(a.eval(ctx)).toBe('k-123cache-probe');
    expect(b.eval(ctx)).toBe('k-123cache-probe');
    expect(compiledTemplateCount() - before).toBe(1);
  });
});
