// A side-by-side line diff (longest common subsequence) for changed text files: the image's
// version on the left, the container's on the right. Bounded: beyond MAX_CELLS the middle is
// compared as one changed block rather than freezing the view.

export type DiffRow =
  | { kind: 'same'; left: string; right: string; leftNo: number; rightNo: number }
  | { kind: 'removed'; left: string; leftNo: number }
  | { kind: 'added'; right: string; rightNo: number }
  | { kind: 'changed'; left: string; right: string; leftNo: number; rightNo: number };

const MAX_CELLS = 4_000_000;

export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function lineDiff(leftText: string, rightText: string): DiffRow[] {
  const a = splitLines(leftText);
  const b = splitLines(rightText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const rows: DiffRow[] = [];
  for (let i = 0; i < start; i++) rows.push({ kind: 'same', left: a[i] as string, right: b[i] as string, leftNo: i + 1, rightNo: i + 1 });
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const ops =
    (midA.length + 1) * (midB.length + 1) <= MAX_CELLS
      ? lcsOps(midA, midB)
      : [...midA.map(() => 'del' as const), ...midB.map(() => 'ins' as const)];
  let i = 0;
  let j = 0;
  const pendingDel: number[] = [];
  const pendingIns: number[] = [];
  const flush = () => {
    const n = Math.max(pendingDel.length, pendingIns.length);
    for (let k = 0; k < n; k++) {
      const d = pendingDel[k];
      const s = pendingIns[k];
      if (d !== undefined && s !== undefined)
        rows.push({ kind: 'changed', left: midA[d] as string, right: midB[s] as string, leftNo: start + d + 1, rightNo: start + s + 1 });
      else if (d !== undefined) rows.push({ kind: 'removed', left: midA[d] as string, leftNo: start + d + 1 });
      else if (s !== undefined) rows.push({ kind: 'added', right: midB[s] as string, rightNo: start + s + 1 });
    }
    pendingDel.length = 0;
    pendingIns.length = 0;
  };
  for (const op of ops) {
    if (op === 'same') {
      flush();
      rows.push({ kind: 'same', left: midA[i] as string, right: midB[j] as string, leftNo: start + i + 1, rightNo: start + j + 1 });
      i++;
      j++;
    } else if (op === 'del') pendingDel.push(i++);
    else pendingIns.push(j++);
  }
  flush();
  for (let k = 0; k < a.length - endA; k++)
    rows.push({ kind: 'same', left: a[endA + k] as string, right: b[endB + k] as string, leftNo: endA + k + 1, rightNo: endB + k + 1 });
  return rows;
}

function lcsOps(a: string[], b: string[]): ('same' | 'del' | 'ins')[] {
  const n = a.length;
  const m = b.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * (m + 1) + j] =
        a[i] === b[j]
          ? (table[(i + 1) * (m + 1) + j + 1] as number) + 1
          : Math.max(table[(i + 1) * (m + 1) + j] as number, table[i * (m + 1) + j + 1] as number);
    }
  }
  const ops: ('same' | 'del' | 'ins')[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push('same');
      i++;
      j++;
    } else if ((table[(i + 1) * (m + 1) + j] as number) >= (table[i * (m + 1) + j + 1] as number)) {
      ops.push('del');
      i++;
    } else {
      ops.push('ins');
      j++;
    }
  }
  while (i++ < n) ops.push('del');
  while (j++ < m) ops.push('ins');
  return ops;
}
