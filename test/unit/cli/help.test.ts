import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../../main/cli/commands';
import { COMMAND_HELP, commandHelp, commandKey, overview } from '../../../main/cli/help';

describe('CLI help', () => {
  it('places every command in a group with an example, and names no command that does not exist', () => {
    const keys = COMMANDS.map(commandKey);
    for (const key of keys) {
      const help = COMMAND_HELP[key];
      assert.ok(help, `COMMAND_HELP has an entry for "${key}"`);
      assert.match(help.example, new RegExp(`^drydock ${key.split(' ')[0]}`), `the example of "${key}" runs it`);
    }
    for (const key of Object.keys(COMMAND_HELP)) assert.ok(keys.includes(key), `"${key}" in COMMAND_HELP is a command`);
  });

  it('lists the commands by task, triage first, each with its example', () => {
    const text = overview(COMMANDS);
    const order = ['Triage', 'Acquire', 'Respond', 'Evidence', 'Hosts and set-up'].map((title) => text.indexOf(`\n${title}`));
    assert.ok(
      order.every((i) => i > 0),
      'every group is there',
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      'in the order a responder meets them',
    );
    for (const command of COMMANDS)
      assert.ok(text.includes(`e.g. ${COMMAND_HELP[commandKey(command)]?.example ?? '?'}`), commandKey(command));
  });

  it("gives each command's options with a description and an example", () => {
    for (const command of COMMANDS) {
      const text = commandHelp(command, ['store', 'json', 'examiner', 'help']);
      assert.ok(text.startsWith(`Usage: drydock ${command.usage}`));
      for (const name of Object.keys(command.options ?? {})) {
        const line = text.split('\n').find((l) => l.startsWith(`  --${name} `) || l === `  --${name}`);
        assert.ok(line, `--${name} of ${commandKey(command)} is listed`);
        assert.ok(line.replace(`--${name}`, '').replace('VALUE', '').trim().length > 0, `--${name} of ${commandKey(command)} is described`);
      }
      assert.match(text, /\nExample:\n {2}drydock /);
    }
  });
});
