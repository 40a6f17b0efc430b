/**
 * Text output fits 100 columns (a terminal beside an editor, a CI log): a
 * longer line is wrapped at a space, its continuation indented under the
 * line's own text; a line with no space to break at is cut with `...`.
 */
export const COLUMNS = 100;

/** `hang`: the continuation's indent (default: the line's own, plus 4, at most 40). */
export function fitLine(line: string, width = COLUMNS, hang?: number): string {
  if (line.length <= width) return line;
  const indent = ' '.repeat(hang ?? Math.min(line.length - line.trimStart().length + 4, 40));
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

/**
 * A table's text in `width` columns: a row too wide wraps its last column,
 * the continuation under that column's start (a gap of two spaces or more
 * that opens it within the first 60 columns), so the columns before it stay
 * readable; other lines as fitLine wraps them.
 */
export function fitColumns(text: string, width = COLUMNS): string {
  return text
    .split('\n')
    .map((line) => {
      if (line.length <= width) return line;
      const gaps = [...line.slice(0, 60).matchAll(/\S( {2,})(?=\S)/g)];
      const last = gaps[gaps.length - 1];
      return fitLine(line, width, last ? last.index + 1 + last[1]!.length : undefined);
    })
    .join('\n');
}
