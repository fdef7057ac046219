/**
 * Preloaded (`node --import`) into every benchmarked child: on exit it writes the process's own
 * CPU time and peak RSS to the file named by BENCH_RUSAGE_FILE, so engine and baseline are
 * measured the same way without relying on /usr/bin/time.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_RUSAGE_FILE;
if (target) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ userUs: u.userCPUTime, systemUs: u.systemCPUTime, maxRssKb: u.maxRSS }));
  });
}
