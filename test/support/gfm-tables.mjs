// Lexes Markdown files with marked (GitHub-flavoured), in a child process
// because marked is an ES module (jest runs CommonJS). Prints one JSON line
// per file: every table marked recognised, with its header's cell count and
// each body row's cell count split as GFM splits it (on pipes not escaped),
// plus how many delimiter rows (|---|) the text has, so a table GFM failed to
// recognise shows up as a difference.
import { readFileSync } from 'node:fs';
import { marked } from 'marked';

/** GFM row splitting: unescaped pipes separate cells; one leading and one trailing pipe are dropped. */
function cells(row) {
  const parts = [];
  let current = '';
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\' && i + 1 < row.length) { current += row[i] + row[i + 1]; i++; continue; }
    if (row[i] === '|') { parts.push(current); current = ''; continue; }
    current += row[i];
  }
  parts.push(current);
  if (parts[0].trim() === '') parts.shift();
  if (parts.length && parts[parts.length - 1].trim() === '') parts.pop();
  return parts.length;
}

for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const tables = [];
  marked.walkTokens(marked.lexer(text, { gfm: true }), (token) => {
    if (token.type !== 'table') return;
    const lines = token.raw.trim().split('\n');
    tables.push({ header: token.header.length, headerRaw: cells(lines[0]), rows: lines.slice(2).map((l) => ({ row: l.slice(0, 80), cells: cells(l) })) });
  });
  const delimiterRows = text.split('\n').filter((l) => /^\|(\s*:?-+:?\s*\|)+\s*$/.test(l)).length;
  process.stdout.write(`${JSON.stringify({ file, tables, delimiterRows })}\n`);
}
