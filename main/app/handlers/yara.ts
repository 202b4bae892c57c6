import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type YaraHandlers = Pick<Handlers, 'yara.scan-container' | 'yara.scan-artifact' | 'yara.scan-drift'>;

export function yaraHandlers(core: Core): YaraHandlers {
  const common = (req: { rules: { name: string; text: string }[]; starter: boolean; caseRef?: string | undefined }) => ({
    rules: req.rules,
    starter: req.starter,
    ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
  });
  return {
    'yara.scan-container': (req) =>
      core.yara.scan({
        ...common(req),
        target: 'container',
        host: req.host,
        container: req.container,
        memory: req.memory,
        ...(req.pids !== undefined ? { pids: req.pids } : {}),
      }),
    'yara.scan-artifact': (req) => core.yara.scan({ ...common(req), target: 'artifact', artifactId: req.artifactId }),
    'yara.scan-drift': (req) => core.yara.scan({ ...common(req), target: 'drift-scan', scanId: req.scanId }),
  };
}
