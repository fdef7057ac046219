/** Human-readable rendering of HTTP exchanges for `--show-http` (secrets are masked upstream). */
import type { HttpEvent } from '../engine/types.js';

const EXCERPT = 600;

export function describeHttpEvent(e: HttpEvent): string {
  const lines: string[] = [];
  const who = e.stream ? `[${e.stream}] ` : '';
  // The retry loop announces its wait as an event of its own.
  if (e.retryInMs !== undefined) return `${who}  retrying ${e.method} ${e.url} in ${(e.retryInMs / 1000).toFixed(1)} s\n`;
  lines.push(`${who}→ ${e.method} ${e.url}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
  for (const [k, v] of Object.entries(e.requestHeaders ?? {})) lines.push(`    ${k}: ${v}`);
  if (e.requestBody) lines.push(`    body: ${truncate(e.requestBody)}`);
  if (e.error) lines.push(`${who}✗ ${e.error}`);
  if (e.status !== undefined) {
    lines.push(`${who}← ${e.status}${e.durationMs !== undefined ? ` in ${Math.round(e.durationMs)} ms` : ''}`);
    if (e.redirectTo) lines.push(`    redirect to ${e.redirectTo}`);
    if (e.responseBody) lines.push(`    ${truncate(e.responseBody.toString('utf8'))}`);
  }
  if (e.rateLimitWaitMs) lines.push(`${who}  (waited ${(e.rateLimitWaitMs / 1000).toFixed(1)} s for the api_budget)`);
  return lines.join('\n') + '\n';
}

function truncate(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT)}… (${flat.length} chars)` : flat;
}
