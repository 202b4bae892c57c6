// `drydock evidence show`'s preview of a binary artifact: its strings are listed under a header
// counting them, and a preview with none says so in one line instead of an empty header.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPreview } from '../../../main/cli/commands/evidence-show';
import type { ArtifactPreview } from '../../../shared/contract/evidence';

function binary(strings: string[], bytes: number, size: number): ArtifactPreview {
  return { mediaType: 'application/octet-stream', size, bytes, truncated: bytes < size, kind: 'binary', hex: ['00000000  00'], strings };
}

describe('drydock evidence show: strings of a binary preview', () => {
  it('lists the strings under a header counting them', () => {
    const text = renderPreview(binary(['GET /index.html'], 32, 70));
    assert.match(text, /\nStrings \(1, runs of 6 or more printable characters\):\n {2}GET \/index\.html\n/);
  });

  it('says in one line that there are none, and over how many bytes', () => {
    const cut = renderPreview(binary([], 4096, 8192));
    assert.ok(!cut.includes('Strings ('), cut);
    assert.match(cut, /\nStrings: none of 6 or more printable characters in the first 4096 bytes\n/);
    const whole = renderPreview(binary([], 70, 70));
    assert.match(whole, /\nStrings: none of 6 or more printable characters in the 70 bytes$/);
  });
});
