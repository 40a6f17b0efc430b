'use strict';
// Preloaded into benchmark children (node --require): writes the process's
// own resource usage at exit, so the parent learns its peak RSS without a
// platform tool. maxRSS is in KiB, the whole life of the process.
const file = process.env.GMEM_BENCH_RUSAGE_FILE;
if (file) {
  process.on('exit', () => {
    require('node:fs').writeFileSync(file, JSON.stringify(process.resourceUsage()));
  });
}
