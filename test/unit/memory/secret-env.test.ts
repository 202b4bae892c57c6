// Which environment entries the UI and the CLI text mask: decided by the variable's name alone, so a
// value that happens to contain "token" is shown, and a secret's name is never hidden.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secretLookingEnv } from '../../../shared/domain/memory';
import { maskedEnv } from '../../../main/cli/commands/memory';

describe('secret-looking environment entries', () => {
  it('masks values whose names look like secrets, whatever their case', () => {
    for (const entry of [
      'API_TOKEN=x',
      'db_password=hunter2',
      'AWS_SECRET_ACCESS_KEY=abc',
      'SESSION_COOKIE=',
      'GITHUB_AUTH=1',
      'PRIVATE_KEY_PEM=---',
    ])
      assert.equal(secretLookingEnv(entry), true, entry);
  });

  it('shows the rest, and judges the name, not the value', () => {
    for (const entry of ['PATH=/usr/bin', 'HOME=/root', 'NOTE=my token is here', 'HOSTNAME=abc', '=token', 'TOKEN', ''])
      assert.equal(secretLookingEnv(entry), false, entry);
  });

  it('keeps the name and the length in the CLI text, never the value', () => {
    assert.equal(maskedEnv('API_TOKEN=s3cr3t'), 'API_TOKEN=•••• (6 characters, masked; --json shows it)');
    assert.equal(maskedEnv('PATH=/bin'), 'PATH=/bin');
  });
});
