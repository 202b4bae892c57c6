import type { BenchmarkCheck } from '../../../shared/domain/benchmark';
import { containerSubject, imageSubject, type EngineFacts, type ImageFacts } from './facts';
import { ev, notMet, perSubject, result, type SubjectResult } from './verdicts';

const JUDGEMENT = 'a judgement the benchmark leaves to the auditor (Manual); the Engine API holds no evidence to decide it';

/** `RUN apt-get update` (or yum/dnf/apk/zypper) with no install or upgrade in the same layer. */
const UPDATE = /\b(apt-get|apt|yum|dnf|apk|zypper|microdnf)\s+(-\S+\s+)*(update|makecache|refresh)\b/;
const INSTALL = /\b(install|upgrade|add|dist-upgrade)\b/;
/** The base layer every image starts with (`ADD file:<hash> in /`) is how the base was made, not an instruction of this Dockerfile. */
const BASE_ADD = /^(\/bin\/sh -c )?#\(nop\) ADD file:[0-9a-f]+ in \/ ?$/;
const SECRET_NAME = /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY)(=|_)/i;

function historyOf(image: ImageFacts): string[] | undefined {
  return Array.isArray(image.history) ? image.history : undefined;
}

function historyCheck(id: string, images: ImageFacts[], what: string, matches: (line: string) => boolean): BenchmarkCheck {
  const subjects: SubjectResult[] = images.map((image) => {
    const history = historyOf(image);
    if (!history)
      return {
        subject: imageSubject(image),
        verdict: 'could-not-check',
        evidence: [
          {
            source: `GET /images/${image.id}/history`,
            field: 'CreatedBy',
            value: `not read: ${(image.history as { error: string }).error}`,
          },
        ],
      };
    const hits = history.filter(matches);
    return {
      subject: imageSubject(image),
      verdict: hits.length ? notMet(id) : 'pass',
      evidence: [
        {
          source: `GET /images/${image.id}/history`,
          field: `CreatedBy (${what})`,
          value: hits.length ? hits.map((h) => h.slice(0, 200)) : 'none',
        },
      ],
    };
  });
  return perSubject(id, subjects, 'images', {
    verdict: 'not-applicable',
    reason: 'The engine has no images',
    evidence: [ev('GET /images/json', 'images', 0)],
  });
}

/** Section 4 (images) and 6 (sprawl). */
export function imageChecks(facts: EngineFacts): BenchmarkCheck[] {
  const checks: BenchmarkCheck[] = [];
  const noRunning = {
    verdict: 'not-applicable' as const,
    reason: 'No container is running',
    evidence: [ev('GET /containers/json', 'running containers', 0)],
  };

  // As the benchmark's audit procedure does: the user each running container's processes run as.
  checks.push(
    perSubject(
      '4.1',
      facts.containers.map((c) => {
        const root = c.risks.find((r) => r.id === 'root-user');
        return {
          subject: containerSubject(c.inspect),
          verdict: root ? notMet('4.1') : 'pass',
          evidence: [
            {
              source: `GET /containers/${c.inspect.Id.slice(0, 12)}/json`,
              field: 'Config.User',
              value: c.inspect.Config.User || '(none: root)',
            },
            { source: 'image', field: 'Config.Image', value: c.inspect.Config.Image },
          ],
        };
      }),
      'running containers',
      noRunning,
    ),
  );

  checks.push(
    result(
      '4.2',
      'info',
      "Whether a base image is trusted is the auditor's call; the images on the engine are listed",
      facts.images.length
        ? facts.images.map((i) =>
            ev(`GET /images/${i.id.slice(7, 19)}/json`, 'RepoTags', i.tags.length ? i.tags : '(untagged)', imageSubject(i)),
          )
        : [ev('GET /images/json', 'images', 0)],
    ),
  );
  checks.push(
    result('4.3', 'could-not-check', JUDGEMENT, [
      ev('image contents', 'packages', 'not read here (drydock drift and the SBOM read image contents)'),
    ]),
  );
  checks.push(
    result('4.4', 'could-not-check', 'Needs a vulnerability scan of each image (not part of this audit)', [
      ev('image contents', 'packages and known vulnerabilities', 'not read here'),
    ]),
  );
  checks.push(
    result(
      '4.5',
      'could-not-check',
      "DOCKER_CONTENT_TRUST is an environment variable of the docker client on the auditor's or operator's machine, not a setting the engine has or reports",
      [ev('docker client environment', 'DOCKER_CONTENT_TRUST', 'not an engine setting')],
    ),
  );

  checks.push(
    perSubject(
      '4.6',
      facts.images.map((image) => ({
        subject: imageSubject(image),
        verdict: image.healthcheck && image.healthcheck[0] !== 'NONE' ? 'pass' : notMet('4.6'),
        evidence: [
          { source: `GET /images/${image.id.slice(7, 19)}/json`, field: 'Config.Healthcheck.Test', value: image.healthcheck ?? '(none)' },
        ],
      })),
      'images',
      { verdict: 'not-applicable', reason: 'The engine has no images', evidence: [ev('GET /images/json', 'images', 0)] },
    ),
  );
  checks.push(
    historyCheck(
      '4.7',
      facts.images,
      'update without install in the same layer',
      (line) => UPDATE.test(line) && !INSTALL.test(line.replace(UPDATE, '')),
    ),
  );
  checks.push(
    result('4.8', 'could-not-check', "Needs the image's files (setuid and setgid bits): drydock drift reads them, this audit does not", [
      ev('image contents', 'setuid/setgid files', 'not read here'),
    ]),
  );
  checks.push(
    historyCheck('4.9', facts.images, 'ADD instructions', (line) => /(#\(nop\)\s*)?\bADD\b/.test(line) && !BASE_ADD.test(line.trim())),
  );
  checks.push(
    perSubject(
      '4.10',
      facts.images.map((image) => {
        const names = image.env.map((e) => e.split('=')[0] ?? '').filter((n) => SECRET_NAME.test(`${n}=`));
        return {
          subject: imageSubject(image),
          verdict: names.length ? notMet('4.10') : 'info',
          evidence: [
            {
              source: `GET /images/${image.id.slice(7, 19)}/json`,
              field: 'Config.Env (names that look like secrets; values not copied)',
              value: names.length ? names : 'none',
            },
          ],
        };
      }),
      'images',
      { verdict: 'not-applicable', reason: 'The engine has no images', evidence: [ev('GET /images/json', 'images', 0)] },
    ),
  );
  checks.push(result('4.11', 'could-not-check', JUDGEMENT, [ev('image build', 'package signatures', 'not recorded in the image')]));
  checks.push(result('4.12', 'could-not-check', JUDGEMENT, [ev('image build', 'artifact signatures', 'not recorded in the image')]));

  const unused = facts.images.filter((i) => !facts.imagesInUse.has(i.id));
  checks.push(
    result('6.1', 'info', `${facts.images.length} images, ${unused.length} not used by any container`, [
      ev('GET /images/json', 'images', facts.images.length),
      ev('GET /containers/json?all=1', 'images not used by any container', unused.map(imageSubject)),
    ]),
  );
  checks.push(
    result('6.2', 'info', `${facts.containerTotal} containers, ${facts.containers.length} running`, [
      ev('GET /containers/json?all=1', 'containers', facts.containerTotal),
      ev('GET /containers/json', 'running', facts.containers.length),
    ]),
  );
  return checks;
}
