// Why this exists: a front end builds one core, and a one-shot command (drydock inventory) uses a
// few of its services; importing every capability's module at the top of core.ts made each command
// load and run the code of all of them first (about 0.2 s of CPU). core.ts imports the types of the
// capabilities only and, through this, loads a capability's module when its service is first
// asked for. A static import cannot be deferred in CommonJS, and `await import()` cannot serve a
// getter, so this is a require: the one place main/ loads code by name.

/**
 * The exports of the module at `specifier`, loaded on the first call (later calls get Node's cached
 * module). `specifier` is relative to main/app (or a package name).
 * @throws whatever loading the module throws (a missing file: Node's MODULE_NOT_FOUND error).
 */
export function loadModule<M>(specifier: string): M {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(specifier) as M;
}
