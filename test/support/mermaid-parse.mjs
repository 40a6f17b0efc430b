// Parses Mermaid files with mermaid's own parser, in a child process because
// mermaid is an ES module (jest runs CommonJS). jsdom gives DOMPurify the
// window mermaid expects. Prints one JSON line per file: {file, ok, error?}.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');
for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(readFileSync(file, 'utf8'));
    console.log(JSON.stringify({ file, ok: true, diagramType: result.diagramType }));
  } catch (err) {
    console.log(JSON.stringify({ file, ok: false, error: String(err.message ?? err).split('\n').slice(0, 3).join(' ') }));
  }
}
