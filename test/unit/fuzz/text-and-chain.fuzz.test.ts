// Fuzzing the text parsers fed by containers — /proc/net/{tcp,udp}[6] socket tables and the
// dpkg/apk package databases — and the evidence store's canonical JSON and audit hash chain (on a
// real store). Properties: no exception, bounded time and output, and the round trips they promise.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseApkInstalled, parseDpkgStatus } from '../../../main/core/drift/packages';
import { AuditLog, entryHash, genesisHash } from '../../../main/core/evidence/audit-chain';
import { canonicalJson } from '../../../main/core/evidence/canonical-json';
import { evidenceSchema } from '../../../main/core/evidence/schema';
import { parseNamespaceTables, parseSocketTable, TABLE_MARKER, TABLE_NAMES } from '../../../main/core/network/socket-tables';
import { openDatabase } from '../../../main/core/store/database';
import { tempDir } from '../evidence/store-fixture';
import { params, within } from './fuzz-kit';

/** Any UTF-16 code unit, lone surrogates included: what JSON.parse of hostile text can produce. */
const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const hexWord = (n: number) => fc.stringMatching(new RegExp(`^[0-9A-F]{${n}}$`));
const socketLine = fc
  .tuple(fc.nat({ max: 999 }), hexWord(8), hexWord(4), hexWord(8), hexWord(4), hexWord(2), fc.nat({ max: 65535 }), fc.nat({ max: 1e9 }))
  .map(
    ([sl, la, lp, ra, rp, st, uid, inode]) =>
      `  ${sl}: ${la}:${lp} ${ra}:${rp} ${st} 00000000:00000000 00:00000000 00000000 ${uid} 0 ${inode} 1 0000000000000000 100 0 0 10 0`,
  );
const lineNoise = fc.oneof(
  socketLine,
  anyText,
  fc.constantFrom(
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    `${TABLE_MARKER}tcp`,
    `${TABLE_MARKER}tcp6 missing`,
    `${TABLE_MARKER}udp`,
    'x'.repeat(5000),
  ),
);

describe('fuzz: text parsers, canonical JSON and the audit chain', () => {
  it('socket tables: any text parses, bounded by the limits, in bounded time', () => {
    fc.assert(
      fc.property(
        fc.array(lineNoise, { maxLength: 40 }),
        fc.constantFrom(...TABLE_NAMES),
        fc.constantFrom('little' as const, 'big' as const),
        fc.integer({ min: 1, max: 20 }),
        (lines, table, order, maxEntries) => {
          const text = lines.join('\n');
          const parsed = within('parseSocketTable', () => parseSocketTable(text, table, order, { maxEntries }));
          assert.ok(parsed.entries.length <= maxEntries);
          for (const e of parsed.entries)
            assert.ok(Number.isInteger(e.local.port) && e.local.port <= 65535 && Number.isSafeInteger(e.inode));
          within('parseNamespaceTables', () => parseNamespaceTables(text, order, { maxEntries }));
        },
      ),
      params(300),
    );
  });

  it('dpkg and apk databases: any text parses in bounded time; every package has a name', () => {
    const stanzaLine = fc.oneof(
      anyText,
      fc.constantFrom(
        'Package: bash',
        'Status: install ok installed',
        'Version: 5.2',
        'P:musl',
        'V:1.2',
        'A:x86_64',
        '',
        ' continued',
        '\t',
        ':',
      ),
    );
    fc.assert(
      fc.property(fc.array(stanzaLine, { maxLength: 60 }), (lines) => {
        const text = lines.join('\n');
        for (const p of within('parseDpkgStatus', () => parseDpkgStatus(text))) assert.ok(p.name.length > 0);
        for (const p of within('parseApkInstalled', () => parseApkInstalled(text))) assert.ok(p.name.length > 0);
      }),
      params(300),
    );
    // Whitespace runs between stanzas are the regex's worst case: still linear enough.
    within('parseDpkgStatus on whitespace', () => parseDpkgStatus(`\n${' \t'.repeat(200_000)}x\n`.repeat(4)));
  });

  it('canonical JSON: one spelling per value (key order, a parse round trip), lone surrogates kept', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double(),
        fc.integer(),
        anyText,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(anyText, tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        const text = canonicalJson(value);
        assert.equal(canonicalJson(JSON.parse(text)), text);
        const reversed = JSON.parse(text, (_k, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        );
        assert.equal(canonicalJson(reversed), text);
      }),
      params(500),
    );
  });

  it('audit chain on a real store: hostile details chain, read back and re-hash exactly; any altered detail breaks the link', () => {
    const dir = tempDir('drydock-fuzz-chain-');
    const db = openDatabase(dir, [evidenceSchema]);
    try {
      const log = new AuditLog(db);
      let chain = 0;
      fc.assert(
        fc.property(
          fc.array(fc.dictionary(anyText, fc.oneof(anyText, fc.double(), fc.constant(null)), { maxKeys: 3 }), {
            minLength: 1,
            maxLength: 5,
          }),
          anyText,
          (details, action) => {
            chain++;
            const caseId = `fuzz-${chain}`;
            db.prepare(
              "INSERT INTO cases (id, name, examiner, organisation, time_zone, description, status, created_at) VALUES (?, ?, 'x', '', 'UTC', '', 'open', '2025-01-01T00:00:00.000Z')",
            ).run(caseId, caseId);
            for (const d of details) log.append({ caseId, at: '2025-01-01T00:00:00.000Z', examiner: 'fuzz', action, details: d });
            const read = log.entries(caseId, 0, 100);
            assert.equal(read.length, details.length);
            let prev = genesisHash(caseId);
            for (const entry of read) {
              const { hash, ...unhashed } = entry;
              assert.equal(entry.prevHash, prev);
              assert.equal(entryHash(unhashed), hash, 'what was hashed is what is read back');
              prev = hash;
              const altered = { ...unhashed, details: { ...unhashed.details, injected: true } };
              assert.notEqual(entryHash(altered), hash);
            }
          },
        ),
        params(100),
      );
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
