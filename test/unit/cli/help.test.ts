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

/** The description of --NAME in a command's help (what follows the flag column, its wrapped lines joined). */
function optionText(key: string, name: string, columns?: number): string {
  const lines = commandHelp(command(key), GLOBALS, columns).split('\n');
  const at = lines.findIndex((l) => l.startsWith(`  --${name} `));
  assert.ok(at >= 0, `--${name} of ${key} is listed`);
  const parts = [(lines[at] ?? '').replace(/^ {2}--\S+( [A-Z]+)? +/, '')];
  for (const l of lines.slice(at + 1)) {
    if (!/^ {4,}\S/.test(l)) break;
    parts.push(l.trim());
  }
  return parts.join(' ');
}

/** The lines of a command's Options: block. */
function optionLines(text: string): string[] {
  return (
    text
      .slice(text.indexOf('\nOptions:\n') + 10)
      .split('\n\n')[0]
      ?.split('\n') ?? []
  );
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

  it('does not call triage read-only on the host: its reads load the helper image and run helpers there', () => {
    const text = overview(COMMANDS);
    const title = text.split('\n').find((l) => l.startsWith('Triage:')) ?? '';
    assert.doesNotMatch(title, /read-only on the host/);
    assert.match(title, /helper image/);
    assert.match(title, /drydock footprint/);
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
        .filter((l) => /^ {2}--\S+( [A-Z]+)? +\S/.test(l))
        .map((l) => (/^ {2}--\S+( [A-Z]+)? +/.exec(l)?.[0] ?? '').length);
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

  it('wraps long descriptions to the width with a hanging indent at the description column', () => {
    for (const columns of [100, 80, 132]) {
      for (const c of COMMANDS) {
        const options = optionLines(commandHelp(c, GLOBALS, columns));
        const column = (/^ {2}--\S+( [A-Z]+)? +/.exec(options[0] ?? '')?.[0] ?? '').length;
        for (const l of options) {
          assert.ok(l.length <= Math.max(columns, column + 30), `${commandKey(c)} at ${columns}: ${l.length} characters: ${l}`);
          if (!l.startsWith('  --'))
            assert.match(l, new RegExp(`^ {${column}}\\S`), `${commandKey(c)}: a continuation starts at the column`);
        }
      }
    }
    // drift's --via is 382 characters: several lines at 100 columns, its words all kept.
    const via = commandHelp(command('drift'), GLOBALS, 100).split('\n');
    const at = via.findIndex((l) => l.startsWith('  --via VALUE '));
    assert.ok(via[at + 1]?.startsWith(' '.repeat(25)), 'the next line continues --via');
    assert.match(
      optionText('drift', 'via', 100),
      /^where drift reads changes: engine-api .* or auto \(upper-dir where the host allows it\)$/,
    );
    assert.equal(optionText('drift', 'via', 100), optionText('drift', 'via', 400), 'wrapping keeps every word');
  });

  it('shows the placeholder of global options that take a value', () => {
    const lines = commandHelp(command('inventory'), GLOBALS).split('\n');
    assert.ok(lines.some((l) => /^ {2}--store DIR +the evidence store/.test(l)));
    assert.ok(lines.some((l) => /^ {2}--examiner NAME +who is acting/.test(l)));
    assert.ok(
      lines.some((l) => /^ {2}--json +machine-readable/.test(l)),
      'a flag without a value has no placeholder',
    );
    assert.ok(lines.some((l) => /^ {2}--help +this help/.test(l)));
  });

  it('says what --json gives for each kind of command', () => {
    assert.equal(optionText('evidence list', 'json'), 'machine-readable output (JSON)');
    assert.doesNotMatch(optionText('drift', 'json'), /watch|lines/);
    assert.match(optionText('watch', 'json'), /JSON lines, one object per event/);
    assert.match(optionText('cluster watch', 'json'), /JSON lines, one object per event/);
    assert.match(optionText('inventory', 'json'), /with --watch, JSON lines/);
  });

  it("has no example that repeats its command's summary as a comment", () => {
    assert.equal(COMMAND_HELP.watch?.example, 'drydock watch --host prod');
    for (const c of COMMANDS) {
      const comment = /#\s*(.*)$/.exec(COMMAND_HELP[commandKey(c)]?.example ?? '')?.[1];
      if (comment) assert.ok(!c.summary.toLowerCase().startsWith(comment.toLowerCase().replace(/ until ctrl-c$/, '')), commandKey(c));
    }
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
