import { useState } from 'react';
import type { LedgerValue, ValueOrigin } from '../../../protocol/ledger.ts';
import { describeError } from '../rpc/rpcError.ts';
import { useController } from '../state/StudioContext.tsx';
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

/**
 * A whole value; when the server cut it, how much is shown of how much, and
 * (when it is known where it was written) a button that reads it whole from its block.
 */
export function LedgerValueView({ value, origin, testId = 'ledger-value' }: { value: LedgerValue; origin?: ValueOrigin; testId?: string }) {
  const controller = useController();
  const [whole, setWhole] = useState<{ value?: LedgerValue; error?: string; reading?: boolean }>({});
  const shown = whole.value ?? value;
  const readWhole = async (from: ValueOrigin) => {
    setWhole({ reading: true });
    try {
      setWhole({ value: await controller.ledger.readValue(from) });
    } catch (err) {
      setWhole({ error: describeError(err).message });
    }
  };
  return (
    <pre className="ledger-value" data-testid={testId} data-encoding={shown.encoding}>
      {valueText(shown)}
      {shown.truncated ? <span className="muted" data-testid="ledger-value-truncated">{`\n… the first ${shown.encoding === 'hex' ? shown.text.length / 2 : shown.text.length} characters of ${shown.bytes} bytes`}</span> : null}
      {value.truncated && origin && !whole.value ? (
        <>
          {'\n'}
          <button className="ledger-link" data-testid="ledger-value-whole" disabled={whole.reading} onClick={() => void readWhole(origin)}>
            {whole.reading ? 'Reading it from its block…' : `Show all ${value.bytes} bytes`}
          </button>
          {whole.error ? <span className="ledger-error" data-testid="ledger-value-error">{` ${whole.error}`}</span> : null}
        </>
      ) : null}
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
