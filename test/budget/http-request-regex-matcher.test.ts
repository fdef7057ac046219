import { describe, it, expect } from '@jest/globals';
import '../../engine/budget/index.js';
import type { MatchableRequest, RequestMatcher } from '../../engine/budget/policy.js';
import { ConfigError } from '../../engine/errors/manifold-error.js';
import { buildNode } from './helpers.js';

function view(url: string, method = 'GET', headers: Record<string, string> = {}): MatchableRequest {
  return { method, url: new URL(url), headers };
}

function matcher(node: Record<string, unknown>, config = {}): RequestMatcher {
  return buildNode<RequestMatcher>({ type: 'HttpRequestRegexMatcher', ...node }, { config });
}

describe('HttpRequestRegexMatcher', () => {
  it('matches the method case-insensitively', () => {
    const m = matcher({ method: 'get' });
    expect(m.matches(view('https://api.x.com/a'))).toBe(true);
    expect(m.matches(view('https://api.x.com/a', 'POST'))).toBe(false);
  });

  it('compares url_base to scheme://host, ignoring a trailing slash', () => {
    const m = matcher({ url_base: 'https://api.x.com/' });
    expect(m.matches(view('https://api.x.com/v1/items?page=2'))).toBe(true);
    expect(m.matches(view('http://api.x.com/v1/items'))).toBe(false);
    expect(m.matches(view('https://other.x.com/v1/items'))).toBe(false);
  });

  it('treats a path in url_base as a prefix and interpolates config (freshdesk style)', () => {
    const m = matcher({ url_base: "https://{{ config['domain'] }}/api/v2/" }, { domain: 'acme.freshdesk.com' });
    expect(m.matches(view('https://acme.freshdesk.com/api/v2/tickets'))).toBe(true);
    expect(m.matches(view('https://acme.freshdesk.com/api/v2'))).toBe(true);
    expect(m.matches(view('https://acme.freshdesk.com/api/v20/tickets'))).toBe(false);
    expect(m.matches(view('https://acme.freshdesk.com/other'))).toBe(false);
  });

  it('searches url_path_pattern anywhere in the path (Python re.search), accepting (?P<name>) groups', () => {
    const m = matcher({ url_path_pattern: '/analytics/(?P<kind>\\w+)' });
    expect(m.matches(view('https://api.x.com/v2/analytics/reports/'))).toBe(true);
    expect(m.matches(view('https://api.x.com/v2/campaigns'))).toBe(false);
    const anchored = matcher({ url_path_pattern: '^/v2/campaigns$' });
    expect(anchored.matches(view('https://api.x.com/v2/campaigns/'))).toBe(true);
    expect(anchored.matches(view('https://api.x.com/v2/campaigns/1'))).toBe(false);
  });

  it('requires every listed query param with its value (last occurrence wins)', () => {
    const m = matcher({ params: { type: 'report', limit: 100 } });
    expect(m.matches(view('https://api.x.com/a?type=report&limit=100&x=1'))).toBe(true);
    expect(m.matches(view('https://api.x.com/a?type=report'))).toBe(false);
    expect(m.matches(view('https://api.x.com/a?type=other&limit=100'))).toBe(false);
    expect(m.matches(view('https://api.x.com/a?type=other&type=report&limit=100'))).toBe(true);
  });

  it('requires listed headers, names compared case-insensitively', () => {
    const m = matcher({ headers: { 'X-Sandbox': 'true' } });
    expect(m.matches(view('https://api.x.com/a', 'GET', { 'x-sandbox': 'true' }))).toBe(true);
    expect(m.matches(view('https://api.x.com/a', 'GET', { 'x-sandbox': 'false' }))).toBe(false);
    expect(m.matches(view('https://api.x.com/a'))).toBe(false);
  });

  it('combines criteria with AND and carries its weight', () => {
    const m = matcher({ method: 'POST', url_path_pattern: 'search', weight: 5 });
    expect(m.weight).toBe(5);
    expect(m.matches(view('https://api.x.com/search', 'POST'))).toBe(true);
    expect(m.matches(view('https://api.x.com/search', 'GET'))).toBe(false);
  });

  it('reports located config errors for bad regexes, URLs and weights', () => {
    expect(() => matcher({ url_path_pattern: '([' })).toThrow(ConfigError);
    expect(() => matcher({ url_path_pattern: '([' })).toThrow(/url_path_pattern is not a valid regular expression/);
    expect(() => matcher({ url_base: 'api.x.com' })).toThrow(/url_base must be an absolute URL/);
    expect(() => matcher({ weight: 0 })).toThrow(/weight must be an integer >= 1/);
  });
});
