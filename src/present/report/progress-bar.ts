/**
 * A progress bar for a stream that is a terminal, redrawn in place and
 * erased when done; none otherwise, so a log or a pipe gets no carriage
 * returns.
 */
export function progressBar(stream: NodeJS.WriteStream): ((done: number, total: number, label: string) => void) | undefined {
  if (!stream.isTTY) return undefined;
  return (done, total, label) => {
    const width = 30;
    const filled = Math.round((done / Math.max(1, total)) * width);
    // `done` may count a part of the item under way (the explorer's levels), which fills the bar, not the count.
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(done)}/${total} ${label}`;
    stream.write(`\r${text.slice(0, (stream.columns ?? 100) - 1).padEnd((stream.columns ?? 100) - 1)}`);
    if (done === total) stream.write('\r'.padEnd(stream.columns ?? 100) + '\r');
  };
}
