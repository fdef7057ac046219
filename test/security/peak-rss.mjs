// Runs the built CLI inside this process and prints its peak resident memory on stderr at exit, so
// tests can assert a bomb was stopped before memory grew. Usage: node peak-rss.mjs <cli args…>
import { writeSync } from 'node:fs';

process.on('exit', () => writeSync(2, `\nPEAK_RSS_KB ${process.resourceUsage().maxRSS}\n`));
await import(new URL('../../dist/cli/main.js', import.meta.url).href);
