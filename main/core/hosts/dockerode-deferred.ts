// Why this exists: dockerode loads, when it is required, two files that only rare paths call:
// its BuildKit session (gRPC, protobufjs and uuid, about 100 ms of loading; only buildImage with
// version 2, which Drydock never calls) and docker-modem's SSH agent (ssh2, about 50 ms; only
// ssh:// hosts). Every CLI command waits for what is loaded before it runs, so, before dockerode
// is required, each of the two files is stood in for by a function that loads the real file on
// its first call and then hands every call to it: the same behaviour, paid for only by what uses
// it. Imported for its effect by docker-client.ts, before dockerode. Should a dockerode release
// move or reshape these files, nothing is stood in for and dockerode loads them as before.
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

const requireHere = createRequire(__filename);

/**
 * Puts a stand-in for `file` in the require cache, if the file still exports one function as
 * `marker` (its export line) says.
 */
function defer(file: string, marker: RegExp): void {
  if (requireHere.cache[file] || !existsSync(file) || !marker.test(readFileSync(file, 'utf8'))) return;
  let real: AnyFunction | undefined;
  const stand = new Module(file);
  stand.filename = file;
  stand.loaded = true;
  stand.exports = function deferred(this: unknown, ...args: unknown[]): unknown {
    if (!real) {
      delete requireHere.cache[file];
      real = requireHere(file) as AnyFunction;
    }
    return real.apply(this, args);
  };
  requireHere.cache[file] = stand;
}

try {
  const dockerodeLib = path.join(path.dirname(requireHere.resolve('dockerode/package.json')), 'lib');
  defer(path.join(dockerodeLib, 'session.js'), /^module\.exports = withSession;$/m);
  const modemRequire = createRequire(path.join(dockerodeLib, 'docker.js'));
  defer(
    path.join(path.dirname(modemRequire.resolve('docker-modem/package.json')), 'lib', 'ssh.js'),
    /^module\.exports = function \(opt\)/m,
  );
} catch {
  // dockerode laid out otherwise: it loads as it always did.
}
