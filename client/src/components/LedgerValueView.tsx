import type { LedgerValue } from '../../../protocol/ledger.ts';
import { displayKey } from './ReadWriteSetView.tsx';
import { prettyResult } from './ResultCard.tsx';

/** A value as text: JSON pretty-printed, binary as hex. */
export function valueText(value: LedgerValue): string {
  return value.encoding === 'hex' ? `0x${value.text}` : prettyResult(value.text);
}

/** One line of a value for a table cell (the whole value shows when its row is opened). */
export function valuePreview(value: LedgerValue): string {
  const text = value.encoding === 'hex' ? `0x${value.text}` : value.text;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A whole value; when the server cut it, how much is shown of how much. */
export function LedgerValueView({ value }: { value: LedgerValue }) {
  return (
    <pre className="ledger-value" data-testid="ledger-value" data-encoding={value.encoding}>
      {valueText(value)}
      {value.truncated ? <span className="muted" data-testid="ledger-value-truncated">{`\n… the first ${value.encoding === 'hex' ? value.text.length / 2 : value.text.length} characters of ${value.bytes} bytes`}</span> : null}
    </pre>
  );
}

/** A key: a composite key's parts side by side, else the key with control characters spelled out. */
export function LedgerKey({ k }: { k: string }) {
  if (k.startsWith('\u0000')) {
    const parts = k.split('\u0000').slice(1, -1);
    return (
      <span className="ledger-key composite" title={displayKey(k)} data-testid="ledger-key" data-composite="true">
        {parts.map((p, i) => (
          <span key={i} className="ledger-key-part">
            {displayKey(p)}
          </span>
        ))}
      </span>
    );
  }
  return (
    <span className="ledger-key mono" title={displayKey(k)} data-testid="ledger-key">
      {displayKey(k)}
    </span>
  );
}
