/**
 * The project's import graph as the TypeScript compiler parses it: every
 * `import`, `import type`, `export ... from` and `import()`, a type-only one
 * included (a type-only cycle still ties two files together for a reader),
 * and marked as such, since a layer may name a lower layer's types without
 * reading its objects. dependency-cruiser and madge would draw it, but neither runs here:
 * dependency-cruiser 16 reads TypeScript only below 6 and its later releases
 * need Node 22; madge 8 asks for TypeScript below 6 as a peer.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

export interface Edge {
  to: string;
  /** every import of `to` in the file is `import type` (or `export type`). */
  typeOnly: boolean;
}
export type Graph = Map<string, string[]>;

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  return [`${base}.ts`, join(base, 'index.ts'), base].find((p) => existsSync(p) && statSync(p).isFile());
}

/** The project imports of one file, with whether each target is only ever imported for its types. */
function importsOf(file: string): Map<string, boolean> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const out = new Map<string, boolean>();
  const note = (spec: ts.Expression | undefined, typeOnly: boolean) => {
    if (!spec || !ts.isStringLiteral(spec)) return;
    const target = resolveImport(file, spec.text);
    if (target) out.set(target, (out.get(target) ?? true) && typeOnly);
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      note(node.moduleSpecifier, Boolean(clause?.isTypeOnly || (named && named.length > 0 && !clause?.name && named.every((e) => e.isTypeOnly))));
    } else if (ts.isExportDeclaration(node)) note(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) note(node.arguments[0], false);
    else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') note(node.arguments[0], false);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Every .ts file under `dirs` (relative to `root`) with the project files it imports, as root-relative paths. */
export function importEdges(root: string, dirs: ReadonlyArray<string>): Map<string, Edge[]> {
  const graph = new Map<string, Edge[]>();
  for (const file of dirs.flatMap((d) => sources(join(root, d)))) {
    graph.set(relative(root, file), [...importsOf(file)].map(([to, typeOnly]) => ({ to: relative(root, to), typeOnly })));
  }
  return graph;
}

/** The same graph without the type-only mark. */
export function importGraph(root: string, dirs: ReadonlyArray<string>): Graph {
  return new Map([...importEdges(root, dirs)].map(([file, edges]) => [file, edges.map((e) => e.to)]));
}

/** The strongly connected components with more than one file (Tarjan): each is an import cycle. */
export function cycles(graph: Graph): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!order.has(v)) visit(v);
  return out;
}
