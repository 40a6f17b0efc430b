'use strict';
// Preloaded into benchmark children (NODE_OPTIONS=--require, so every Node
// process a command starts loads it): writes the process's own resource usage
// at exit, one file per process, so the parent learns the CPU time and peak
// RSS without a platform tool. maxRSS is in KiB, the whole life of the process.
const dir = process.env.GMEM_BENCH_RUSAGE_DIR;
if (dir) {
  process.on('exit', () => {
    require('node:fs').writeFileSync(require('node:path').join(dir, `${process.pid}.json`), JSON.stringify(process.resourceUsage()));
  });
}
