// Import cycles, found with the TypeScript compiler's own module resolution (part of `npm run lint`).
//   node scripts/check-import-cycles.mjs            exit 1 and list each cycle when there is one
// Every static `import`/`export … from` counts, type-only ones included: a type-only circle is
// no load-order hazard, but it still ties two rooms together, which is what the room rules forbid.
// Lazy `import()` calls do not count (the CLI loads its commands that way on purpose).
// Why a script and not import-x/no-cycle: it resolves exactly as tsc does (each tsconfig's own
// moduleResolution), needs no resolver plugin, and walks the graph once (no-cycle walks it per file,
// minutes on this machine).
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const projects = ['tsconfig.json', 'renderer/tsconfig.json', 'renderer/bench/tsconfig.json', 'test/tsconfig.json'];

/** @type {Map<string, Set<string>>} file → files it imports (absolute paths inside the checkout) */
const graph = new Map();

for (const project of projects) {
  const configPath = path.join(root, project);
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath));
  const host = ts.createCompilerHost(parsed.options);
  for (const file of parsed.fileNames) {
    if (graph.has(file)) continue;
    const edges = new Set();
    graph.set(file, edges);
    const source = ts.createSourceFile(file, ts.sys.readFile(file) ?? '', ts.ScriptTarget.Latest, false);
    for (const statement of source.statements) {
      const specifier =
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier
          ? statement.moduleSpecifier
          : undefined;
      if (!specifier || !ts.isStringLiteral(specifier)) continue;
      const resolved = ts.resolveModuleName(specifier.text, file, parsed.options, host).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport) continue;
      const target = path.resolve(resolved.resolvedFileName);
      if (target.startsWith(root + path.sep) && !target.includes(`${path.sep}node_modules${path.sep}`)) edges.add(target);
    }
  }
}

// Tarjan's strongly connected components, iterative (deep import chains overflow a recursive one).
let index = 0;
const order = new Map();
const low = new Map();
const onStack = new Set();
const stack = [];
const components = [];
for (const start of graph.keys()) {
  if (order.has(start)) continue;
  const work = [[start, [...(graph.get(start) ?? [])], 0]];
  order.set(start, index);
  low.set(start, index++);
  stack.push(start);
  onStack.add(start);
  while (work.length > 0) {
    const frame = work[work.length - 1];
    const [node, edges] = frame;
    if (frame[2] < edges.length) {
      const next = edges[frame[2]++];
      if (!order.has(next)) {
        order.set(next, index);
        low.set(next, index++);
        stack.push(next);
        onStack.add(next);
        work.push([next, [...(graph.get(next) ?? [])], 0]);
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), order.get(next)));
      }
      continue;
    }
    work.pop();
    if (work.length > 0) {
      const parent = work[work.length - 1][0];
      low.set(parent, Math.min(low.get(parent), low.get(node)));
    }
    if (low.get(node) === order.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = component.length === 1 && graph.get(node)?.has(node);
      if (component.length > 1 || selfLoop) components.push(component);
    }
  }
}

/** One concrete circle through the component, shortest from its first file (breadth-first). */
function exampleCycle(component) {
  const members = new Set(component);
  const first = [...component].sort()[0];
  const previous = new Map([[first, undefined]]);
  const queue = [first];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === first) {
        const chain = [node];
        while (previous.get(chain[0]) !== undefined) chain.unshift(previous.get(chain[0]));
        return [...chain, first];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [first, first];
}

if (components.length === 0) {
  console.log(`import cycles: none in ${graph.size} files`);
} else {
  const rel = (file) => path.relative(root, file);
  for (const component of components) {
    console.error(`import cycle among ${component.length} files (${component.map(rel).sort().join(', ')}):`);
    console.error(`  ${exampleCycle(component).map(rel).join('\n    → ')}`);
  }
  console.error(`${components.length} import cycle(s): break each by moving the shared piece down a room or by passing it in.`);
  process.exitCode = 1;
}
