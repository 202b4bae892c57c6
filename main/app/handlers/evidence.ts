import { DrydockFailure } from '../../core/errors';
import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type EvidenceHandlers = Pick<
  Handlers,
  | 'evidence.cases'
  | 'evidence.examiner'
  | 'evidence.examiner-set'
  | 'evidence.case-create'
  | 'evidence.case-use'
  | 'evidence.case-close'
  | 'evidence.artifacts'
  | 'evidence.artifact'
  | 'evidence.preview'
  | 'evidence.audit'
  | 'evidence.note'
  | 'evidence.verify'
  | 'evidence.export-artifact'
  | 'evidence.export-bundle'
  | 'evidence.import-bundle'
  | 'evidence.key-create'
  | 'evidence.key-show'
  | 'evidence.key-export'
  | 'evidence.key-trust'
  | 'evidence.keys-trusted'
  | 'evidence.case-signature'
  | 'footprint.summary'
>;

export function evidenceHandlers(core: Core): EvidenceHandlers {
  const evidence = core.evidence;
  return {
    'evidence.cases': () => evidence.listCases(),
    'evidence.examiner': () => evidence.actingExaminer(),
    'evidence.examiner-set': (req) => evidence.chooseExaminer(req.name),
    'evidence.case-create': (req) => evidence.createCase(req),
    'evidence.case-use': (req) => evidence.useCase(req.caseRef),
    'evidence.case-close': (req) => evidence.closeCase(req.caseRef),
    'evidence.artifacts': (req) =>
      evidence.listArtifacts({
        limit: req.limit,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
        ...(req.kind !== undefined ? { kind: req.kind } : {}),
      }),
    'evidence.artifact': async (req) => {
      const artifact = await evidence.getArtifact(req.artifactId);
      if (!artifact) throw new DrydockFailure('not-found', `No artifact ${req.artifactId} in this evidence store`);
      return artifact;
    },
    'evidence.preview': (req) => evidence.preview(req.artifactId, req.maxBytes),
    'evidence.audit': (req) =>
      evidence.auditEntries({ afterSeq: req.afterSeq, limit: req.limit, ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}) }),
    'evidence.note': (req) => evidence.addNote(req.text, req.caseRef),
    'evidence.verify': (req) => evidence.verify(req.caseRef),
    'evidence.export-artifact': (req) => evidence.exportArtifact(req.artifactId, req.path),
    'evidence.export-bundle': (req) =>
      evidence.exportCase(
        req.caseRef,
        req.path,
        req.sign ? { ...(req.passphrase !== undefined ? { passphrase: req.passphrase } : {}) } : undefined,
      ),
    'evidence.import-bundle': (req) => evidence.importCase(req.path, { requireSignature: req.requireSignature }),
    'evidence.key-create': async (req) => evidence.signing.createKey(req.passphrase, req.examiner),
    'evidence.key-show': async () => evidence.signing.showKey(),
    'evidence.key-export': (req) => evidence.signing.exportPublicKey(req.path),
    'evidence.key-trust': (req) => evidence.signing.trust(req.path, req.name),
    'evidence.keys-trusted': async () => evidence.signing.listTrusted(),
    'evidence.case-signature': (req) => evidence.caseSignature(req.caseRef),
    'footprint.summary': (req) =>
      evidence.footprint({
        ...(req.host !== undefined ? { host: req.host } : {}),
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
  };
}
