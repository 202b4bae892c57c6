import { useState } from 'react';

/** A hash short enough for a table, complete on hover, and copyable whole. */
export function Sha256({ value }: { value: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
    setTimeout(() => setCopied(null), 1500);
  };
  return (
    <span className="dd-sha" title={value}>
      <span className="dd-mono" data-sha256={value}>
        {value.slice(0, 12)}…
      </span>
      <button
        type="button"
        className="dd-icon-btn dd-copy"
        onClick={(e) => {
          e.stopPropagation();
          void copy();
        }}
        aria-label={`Copy SHA-256 ${value}`}
        title={copied === 'no' ? 'Clipboard unavailable: select the full hash in the detail pane' : 'Copy full SHA-256'}
      >
        {copied === 'yes' ? 'copied' : copied === 'no' ? 'no clipboard' : 'copy'}
      </button>
    </span>
  );
}
