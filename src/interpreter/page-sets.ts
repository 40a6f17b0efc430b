/**
 * Page sets (host mappings per process, 4K guest mappings) are sparse while
 * ranges can span a 1 GiB block: each helper walks whichever side is smaller.
 */
export function deleteRange(set: Set<number>, from: number, to: number): void {
  if (set.size < to - from) {
    for (const p of set) if (p >= from && p < to) set.delete(p);
  } else {
    for (let p = from; p < to; p++) set.delete(p);
  }
}

export function membersIn(set: ReadonlySet<number>, from: number, to: number): number[] {
  const out: number[] = [];
  if (set.size < to - from) {
    for (const p of set) if (p >= from && p < to) out.push(p);
  } else {
    for (let p = from; p < to; p++) if (set.has(p)) out.push(p);
  }
  return out.sort((a, b) => a - b);
}
