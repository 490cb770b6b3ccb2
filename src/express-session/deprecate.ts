// Deprecation warnings worded as express-session words them ("express-session deprecated ..."),
// sent through process.emitWarning so `--no-deprecation`, `--throw-deprecation` and
// `process.on('warning')` work. `NO_DEPRECATION=express-session` (depd's switch) silences them too.

const NAMESPACE = 'express-session';
const onceSeen = new Set<string>();

function silenced(): boolean {
  if ((process as NodeJS.Process & { noDeprecation?: boolean }).noDeprecation) return true;
  const list = process.env.NO_DEPRECATION;
  if (list === undefined || list === '') return false;
  return list.split(/[\s,]+/).some((name) => name === '*' || name === NAMESPACE);
}

/** Emits `express-session deprecated <message>` as a DeprecationWarning. */
export function deprecate(message: string, code: string): void {
  if (silenced()) return;
  process.emitWarning(`${NAMESPACE} deprecated ${message}`, { type: 'DeprecationWarning', code });
}

/** As `deprecate`, at most once per process: for warnings a request can trigger. */
export function deprecateOnce(message: string, code: string): void {
  if (onceSeen.has(code)) return;
  if (silenced()) return;
  onceSeen.add(code);
  deprecate(message, code);
}
