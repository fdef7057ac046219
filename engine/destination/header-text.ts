/**
 * Request headers typed by a user as one line, `name1:value1,name2:value2` (a destination's manual
 * mode). The headers the connector itself sets — authentication, the body's content type and
 * framing — cannot be given this way: an Authorization typed here would replace the one from the
 * authenticator, and a wrong Content-Type would misdescribe the body.
 */
const MANAGED = new Map(
  ['Authorization', 'Proxy-Authorization', 'Cookie', 'Content-Type', 'Content-Length', 'Transfer-Encoding', 'Host'].map((h) => [h.toLowerCase(), h]),
);

/** Throws a plain Error naming the offending entry. */
export function parseHeaderText(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (!pair.trim()) continue;
    const colon = pair.indexOf(':');
    const name = colon > 0 ? pair.slice(0, colon).trim() : '';
    if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new Error(`entry "${pair.trim()}" is not "name:value"`);
    const managed = MANAGED.get(name.toLowerCase());
    if (managed) throw new Error(`the ${managed} header is set by the connector and cannot be given here`);
    headers[name] = pair.slice(colon + 1).trim();
  }
  return headers;
}
