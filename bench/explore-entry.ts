/**
 * X1: the explorer's figures (bench/explore.ts: states per second,
 * against xstate/graph) as an entry of the registry.
 */
import type { BenchEntry } from './entry';
import { asEntryRows } from './entry';
import { exploreRows } from './explore';

export const explore: BenchEntry = {
  id: 'X1',
  title: 'gmem explore: states per second, and against xstate/graph',
  run() {
    return asEntryRows('X1', exploreRows());
  },
};
