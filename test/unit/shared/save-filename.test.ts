import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeFilename } from '../../../shared/contract/save';

describe('safeFilename: names from hostile hosts made safe for a header and a file system', () => {
  it('keeps ASCII letters, digits, dot, dash and underscore only', () => {
    assert.equal(safeFilename('web-1-capture.pcap', 'artifact'), 'web-1-capture.pcap');
    assert.equal(safeFilename('../../etc/passwd', 'artifact'), 'etc_passwd');
    assert.equal(safeFilename('a"; filename=evil.sh\r\nX: y.pcap', 'artifact'), 'a_filename_evil.sh_X_y.pcap');
    assert.equal(safeFilename('\u202egnp.exe', 'artifact'), 'gnp.exe');
    assert.equal(safeFilename('.hidden', 'artifact'), 'hidden');
  });

  it('falls back when nothing is left, and caps the length keeping the extension', () => {
    assert.equal(safeFilename('', 'bundle'), 'case.drydock.tar');
    assert.equal(safeFilename('////', 'artifact'), 'artifact.bin');
    const long = safeFilename(`${'x'.repeat(300)}.pcap`, 'artifact');
    assert.equal(long.length, 120);
    assert.ok(long.endsWith('.pcap'));
  });
});
