/**
 * A count with its noun agreeing: counted(1, 'node') is "1 node", counted(3, 'node') "3 nodes".
 * `plural` for a noun that does not take a plain "s": counted(2, 'process', 'processes'). Pure.
 */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
