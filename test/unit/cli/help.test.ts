import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../../main/cli/commands';
import type { CliCommand } from '../../../main/cli/command';
import { COMMAND_HELP, commandHelp, commandKey, overview } from '../../../main/cli/help';
import { EVIDENCE_PREVIEW_DEFAULT_BYTES, EVIDENCE_PREVIEW_MAX_BYTES } from '../../../main/cli/preview-bytes';
import { PREVIEW_MAX_BYTES } from '../../../shared/contract/evidence';

const GLOBALS = ['store', 'json', 'examiner', 'help'];

function command(key: string): CliCommand {
  const found = COMMANDS.find((c) => commandKey(c) === key);
  assert.ok(found, `there is a command "${key}"`);
  return found;
}

/** The description of --NAME in a command's help (what follows the flag column). */
function optionText(key: string, name: string): string {
  const line = commandHelp(command(key), GLOBALS)
    .split('\n')
    .find((l) => l.startsWith(`  --${name} `));
  assert.ok(line, `--${name} of ${key} is listed`);
  return line.replace(/^ {2}--\S+( VALUE)? +/, '');
}

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

  it("starts every option's description in one column, as wide as the command's longest flag", () => {
    for (const c of COMMANDS) {
      const text = commandHelp(c, GLOBALS);
      const options =
        text
          .slice(text.indexOf('\nOptions:\n') + 10)
          .split('\n\n')[0]
          ?.split('\n') ?? [];
      const starts = options
        .filter((l) => /^ {2}--\S+( VALUE)? +\S/.test(l))
        .map((l) => (/^ {2}--\S+( VALUE)? +/.exec(l)?.[0] ?? '').length);
      assert.ok(starts.length > 0, commandKey(c));
      assert.equal(new Set(starts).size, 1, `the descriptions of ${commandKey(c)} start in one column: ${options.join(' | ')}`);
    }
    // collect's --capture-seconds VALUE (24 characters) is wider than the 22 most commands need.
    const collect = commandHelp(command('collect'), GLOBALS).split('\n');
    const seconds = collect.find((l) => l.startsWith('  --capture-seconds VALUE '));
    const store = collect.find((l) => l.startsWith('  --store '));
    assert.ok(seconds && store);
    assert.equal(seconds.indexOf('seconds of packet'), store.indexOf('the evidence store'));
    assert.equal(seconds.indexOf('seconds of packet'), '  --capture-seconds VALUE '.length, 'one space after the longest flag');
  });

  it("says memory's Ctrl-C exits 130 under Exit status", () => {
    const text = commandHelp(command('memory'), GLOBALS);
    assert.match(text, /\nExit status:\n {2}0 .*; 130 cancelled with Ctrl-C \(/);
  });

  it("gives collect's --capture-seconds its maximum", () => {
    assert.match(optionText('collect', 'capture-seconds'), /at most 3600/);
  });

  it('describes --fail-on for drift and for audit each with its own values and exit status', () => {
    const drift = optionText('drift', 'fail-on');
    const audit = optionText('audit', 'fail-on');
    assert.notEqual(drift, audit);
    assert.match(drift, /exit 6/);
    assert.match(drift, /critical, high, medium, low or info/);
    assert.doesNotMatch(drift, /\b(audit|warn)\b/);
    assert.match(audit, /exit 6/);
    assert.match(audit, /fails \(fail\), or fails or warns \(warn\)/);
    assert.doesNotMatch(audit, /\b(drift|critical|severity)\b/);
  });

  it('names --ssh-socket in the usage of hosts add, which takes it', () => {
    const hostsAdd = command('hosts add');
    assert.ok(hostsAdd.options && 'ssh-socket' in hostsAdd.options);
    for (const name of Object.keys(hostsAdd.options)) assert.ok(hostsAdd.usage.includes(`--${name}`), `--${name} is in the usage`);
  });

  it("gives evidence show --bytes its default and maximum, the contract's", () => {
    assert.equal(EVIDENCE_PREVIEW_DEFAULT_BYTES, 512);
    assert.equal(EVIDENCE_PREVIEW_MAX_BYTES, PREVIEW_MAX_BYTES);
    assert.match(optionText('evidence show', 'bytes'), new RegExp(`default 512, at most ${PREVIEW_MAX_BYTES}\\)`));
  });
});
