/**
 * Text output fits 100 columns (a terminal beside an editor, a CI log): a
 * longer line is wrapped at a space, its continuation indented under the
 * line's own text; a line with no space to break at is cut with `...`.
 */
export const COLUMNS = 100;

export function fitLine(line: string, width = COLUMNS): string {
  if (line.length <= width) return line;
  const indent = ' '.repeat(Math.min(line.length - line.trimStart().length + 4, 40));
  const out: string[] = [];
  let rest = line;
  let first = true;
  while (rest.length > width - (first ? 0 : indent.length)) {
    const room = width - (first ? 0 : indent.length);
    let cut = rest.lastIndexOf(' ', room);
    if (cut <= rest.length - rest.trimStart().length) cut = -1;
    if (cut < 0) {
      out.push(`${first ? '' : indent}${rest.slice(0, room - 3)}...`);
      rest = '';
      break;
    }
    out.push(`${first ? '' : indent}${rest.slice(0, cut)}`);
    rest = rest.slice(cut + 1);
    first = false;
  }
  if (rest) out.push(`${first ? '' : indent}${rest}`);
  return out.join('\n');
}

export function fitWidth(text: string, width = COLUMNS): string {
  return text.split('\n').map((l) => fitLine(l, width)).join('\n');
}
