// visibleText, which every view uses for text from a host under investigation: control and
// invisible characters become escapes, and a value is cut with an ellipsis only when something of it
// is left out (a 16-digit address at max 16 is shown whole; one more character is cut).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { visibleText } from '../../../renderer/src/views/processes/visible-text';

describe('visibleText', () => {
  it('escapes control, C1 and bidi characters', () => {
    assert.equal(visibleText('\u001b]0;pwned\u0007'), '\\x1b]0;pwned\\x07');
    assert.equal(visibleText('a\u0085b\u202ec'), 'a\\x85b\\u{202e}c');
  });

  it('shows a value exactly max long whole, and cuts a longer one with an ellipsis', () => {
    assert.equal(visibleText('ffffffffff600000', 16), 'ffffffffff600000');
    assert.equal(visibleText('rw-p', 4), 'rw-p');
    assert.equal(visibleText('ffffffffff6000001', 16), 'ffffffffff600000…');
    assert.equal(visibleText('A'.repeat(65536), 10), `${'A'.repeat(10)}…`);
  });

  it('cuts an escape that does not fit rather than exceeding max', () => {
    assert.equal(visibleText('abc\u001b', 5), 'abc\\x…');
    assert.equal(visibleText('abc\u001b', 7), 'abc\\x1b');
  });
});
