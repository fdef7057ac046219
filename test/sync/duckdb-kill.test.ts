/** DuckDB: a sync killed with SIGKILL mid-read resumes with every record exactly once (uses dist/). */
import { describe, it } from '@jest/globals';
import { killAndResume } from './kill-resume.js';
import { tempDuckDb } from './support.js';

describe('sync into DuckDB after kill -9', () => {
  it('resumes from the state committed with the records: each record exactly once', async () => {
    await killAndResume(tempDuckDb());
  }, 120_000);
});
