/**
 * The repository's root: the nearest directory above this file holding the
 * package.json of gmem-model. The same answer from src/ (tsx, ts-jest) and
 * from dist/src/ (the compiled CLI), so files read at run time (docs/, the
 * viewer's static files, machines/ for the sources digest) are found alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function find(): { root: string; version: string } {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'gmem-model') return { root: dir, version: pkg.version ?? 'unknown' };
      } catch {
        // an unreadable package.json is not ours: look one directory up
      }
    }
    if (dirname(dir) === dir) return { root: join(__dirname, '..'), version: 'unknown' };
  }
}

const found = find();
export const PACKAGE_ROOT = found.root;
export const PACKAGE_VERSION = found.version;
