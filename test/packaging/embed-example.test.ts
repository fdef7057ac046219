/** examples/embed/read-replay.mjs: the library embedded in a program, run as users would run it. */
import { describe, it, expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.js';

const EXAMPLE = join(REPO, 'examples/embed/read-replay.mjs');

function runExample(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [EXAMPLE, ...args], { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('examples/embed/read-replay.mjs', () => {
  it('aggregates the replayed books per author', async () => {
    const result = await runExample(['--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      books: 12,
      authors: 4,
      inStock: 9,
      cheapestInStock: { title: 'Things Fall Apart', price: 8.75 },
      byAuthor: [
        { author: 'Italo Calvino', books: 4, averagePrice: 11.31, inStock: 3 },
        { author: 'Chinua Achebe', books: 3, averagePrice: 9.33, inStock: 2 },
        { author: 'Ursula K. Le Guin', books: 3, averagePrice: 11.83, inStock: 2 },
        { author: 'Wisława Szymborska', books: 2, averagePrice: 19.5, inStock: 2 },
      ],
    });
  });

  it('prints a readable summary by default', async () => {
    const result = await runExample([]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      '12 books by 4 authors, 9 in stock',
      '  Italo Calvino: 4 books, average price 11.31, 3 in stock',
      '  Chinua Achebe: 3 books, average price 9.33, 2 in stock',
      '  Ursula K. Le Guin: 3 books, average price 11.83, 2 in stock',
      '  Wisława Szymborska: 2 books, average price 19.50, 2 in stock',
      'Cheapest in stock: Things Fall Apart (8.75)',
      '',
    ]);
  });
});
