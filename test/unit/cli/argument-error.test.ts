// How the CLI's argument parsing errors reach the terminal: Node's multi-line messages keep their
// lines (no literal "\n"), each escaped; and a negative number after an option taking a value is
// that option's value, so the command itself says what the option takes (`--pid -1`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs } from 'node:util';
import { argumentErrorText, attachNegativeValues } from '../../../main/cli/argument-error';

const options = { pid: { type: 'string' as const }, all: { type: 'boolean' as const }, limit: { type: 'string' as const, short: 'n' } };

describe('CLI argument errors', () => {
  it('keeps the lines of a parseArgs message and escapes each', () => {
    let message = '';
    try {
      parseArgs({ args: ['--pid', '-x'], options, strict: true });
    } catch (err) {
      message = argumentErrorText(err);
    }
    assert.match(message, /^Option '--pid' argument is ambiguous\.\nDid you forget/);
    assert.ok(!message.includes('\\n'), message);
    assert.equal(argumentErrorText(new Error("Unknown option '--\u001b[2Jx'\nsecond")), "Unknown option '--\\x1b[2Jx'\nsecond");
  });

  it('joins a negative number to the option before it, so the command can judge it', () => {
    assert.deepEqual(attachNegativeValues(['c1', '--pid', '-1', '--all'], options), ['c1', '--pid=-1', '--all']);
    assert.deepEqual(attachNegativeValues(['-n', '-5'], options), ['--limit=-5']);
    assert.deepEqual(
      { ...parseArgs({ args: attachNegativeValues(['--pid', '-1'], options), options, strict: true }).values },
      { pid: '-1' },
    );
    // A boolean takes no value; an option-like word stays an option; nothing after -- is touched.
    assert.deepEqual(attachNegativeValues(['--all', '-1'], options), ['--all', '-1']);
    assert.deepEqual(attachNegativeValues(['--pid', '-x'], options), ['--pid', '-x']);
    assert.deepEqual(attachNegativeValues(['--', '--pid', '-1'], options), ['--', '--pid', '-1']);
  });
});
