// Part of `npm run build:node`, after tsc: writes dist/main/cli/commands/index.json, the index the
// CLI reads so that a command line loads only its own command's module and `drydock --help` none
// (see main/cli/command-index.ts). Built from the compiled modules themselves: every command of
// the command table, in its order, with the words, summary and usage the overview prints, the
// module that defines it, and each module's size (an index whose sizes differ is not used).
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dir = path.join(root, 'dist', 'main', 'cli', 'commands');
const require = createRequire(import.meta.url);
const { COMMANDS } = require(path.join(dir, 'index.js'));

const modules = readdirSync(dir)
  .filter((f) => f.endsWith('.js') && f !== 'index.js')
  .sort();
const owner = new Map();
for (const file of modules) {
  const exports = require(path.join(dir, file));
  for (const value of Object.values(exports)) {
    for (const command of Array.isArray(value) ? value : [value]) {
      if (command && typeof command === 'object' && typeof command.run === 'function' && !owner.has(command))
        owner.set(command, file.slice(0, -'.js'.length));
    }
  }
}
const commands = COMMANDS.map((command) => {
  const module = owner.get(command);
  if (!module) throw new Error(`cli-command-index: no module of ${dir} exports the command "${command.path.join(' ')}"`);
  return { path: command.path, summary: command.summary, usage: command.usage, module };
});
const files = Object.fromEntries(
  [...modules, 'index.js'].map((file) => {
    const stat = statSync(path.join(dir, file));
    return [file.slice(0, -'.js'.length), { size: stat.size }];
  }),
);
writeFileSync(path.join(dir, 'index.json'), `${JSON.stringify({ commands, modules: files })}\n`);
console.log(`cli-command-index: ${commands.length} commands in ${modules.length} modules`);
