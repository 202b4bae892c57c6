import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeIssues } from '../../../main/app/dispatch';
import { hostChannels } from '../../../shared/contract/hosts';

describe('describeIssues', () => {
  it("names what is wrong in the union branch a request came closest to, not zod's bare 'Invalid input'", () => {
    const schema = hostChannels['hosts.test'].request;
    const byProfile = schema.safeParse({ name: 'x', url: 'ftp://nowhere' });
    assert.equal(byProfile.success, false);
    assert.match(describeIssues(byProfile.error!), /^url: a unix:\/\/, tcp:\/\/ or ssh:\/\/ URL/);
    const byName = schema.safeParse({ name: '' });
    assert.equal(byName.success, false);
    assert.match(describeIssues(byName.error!), /^name: /);
    assert.doesNotMatch(describeIssues(byName.error!), /Invalid input/);
  });
});
