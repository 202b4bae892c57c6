// The small incident scene the integration and UI tests look at: a web server and a database on
// two user networks, an app bridging both, and the kind of container an intruder leaves behind
// (privileged, Docker socket mounted). Names carry a run suffix so parallel runs never collide.
import { BUSYBOX, docker, removeContainers, runContainer, TEST_LABEL } from './docker';

export interface Scenario {
  suffix: string;
  networks: { front: string; back: string };
  ids: { web: string; db: string; app: string; backdoor: string };
  names: { web: string; db: string; app: string; backdoor: string };
  teardown(): void;
}

export function startScenario(options: { host?: string; suffix?: string } = {}): Scenario {
  const suffix = options.suffix ?? String(process.pid);
  const on = options.host ? { host: options.host } : {};
  const networks = { front: `dd-front-${suffix}`, back: `dd-back-${suffix}` };
  const names = { web: `dd-web-${suffix}`, db: `dd-db-${suffix}`, app: `dd-app-${suffix}`, backdoor: `dd-backdoor-${suffix}` };
  const ids = { web: '', db: '', app: '', backdoor: '' };
  const teardown = () => {
    removeContainers(Object.values(ids).filter(Boolean), on);
    for (const network of Object.values(networks)) {
      try {
        docker(['network', 'rm', network], on);
      } catch {
        // Not created or already gone.
      }
    }
  };
  try {
    for (const network of Object.values(networks)) docker(['network', 'create', '--label', TEST_LABEL, network], on);
    ids.web = runContainer(
      [
        '--name',
        names.web,
        '--network',
        networks.front,
        '-p',
        '127.0.0.1::8080',
        '--label',
        'com.docker.compose.project=shop',
        '--label',
        'com.docker.compose.service=web',
        'drydock-fixture/web:1',
      ],
      on,
    );
    ids.db = runContainer(
      [
        '--name',
        names.db,
        '--network',
        networks.back,
        '--label',
        'com.docker.compose.project=shop',
        '--label',
        'com.docker.compose.service=db',
        'drydock-fixture/db:1',
      ],
      on,
    );
    ids.app = runContainer(['--name', names.app, '--network', networks.front, BUSYBOX, 'sleep', '3600'], on);
    docker(['network', 'connect', networks.back, names.app], on);
    ids.backdoor = runContainer(
      ['--name', names.backdoor, '--privileged', '-v', '/var/run/docker.sock:/var/run/docker.sock', BUSYBOX, 'sleep', '3600'],
      on,
    );
  } catch (err) {
    teardown();
    throw err;
  }
  return { suffix, networks, ids, names, teardown };
}
