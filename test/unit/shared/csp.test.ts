import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { APP_CSP, APP_CSP_META, REPORT_CSP } from '../../../shared/csp';

const root = path.resolve(__dirname, '../../..');

describe('one Content-Security-Policy', () => {
  it('the meta form is the header form without its header-only directive', () => {
    assert.equal(APP_CSP_META, APP_CSP.replace(/; frame-ancestors 'none'/, ''));
    assert.doesNotMatch(APP_CSP_META, /frame-ancestors/);
    assert.doesNotMatch(APP_CSP, /unsafe-(inline|eval)|\*/);
  });

  it('the report policy runs nothing and loads nothing', () => {
    assert.match(REPORT_CSP, /^default-src 'none';/);
    assert.doesNotMatch(REPORT_CSP, /script-src|'self'|frame-ancestors/);
  });

  it('no copy of a policy is left in the sources: the app protocol, the bridge and the renderer HTML import it', () => {
    const files = ['main/electron/app-protocol.ts', 'main/bridge/server.ts', 'renderer/index.html', 'renderer/vite.config.mts'];
    for (const file of files) assert.doesNotMatch(readFileSync(path.join(root, file), 'utf8'), /default-src/, file);
    assert.match(readFileSync(path.join(root, 'main/electron/app-protocol.ts'), 'utf8'), /'Content-Security-Policy', APP_CSP\)/);
    assert.match(readFileSync(path.join(root, 'renderer/vite.config.mts'), 'utf8'), /content: APP_CSP_META/);
  });
});
