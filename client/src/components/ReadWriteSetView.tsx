import type { KeyRead, KeyWrite, NamespaceReadWriteSet, ReadWriteSet } from '../../../protocol/ledger.ts';
import { LedgerValueView } from './LedgerValueView.tsx';

/** Namespaces Fabric itself writes (lifecycle), shown after the chaincode's own. */
const systemNamespaces = new Set(['_lifecycle', 'lscc', 'cscc', 'qscc']);

/**
 * A key as readable text: a composite key (U+0000 objectType U+0000 attr … U+0000)
 * as its parts, other control characters as \uXXXX so nothing hides in a key.
 */
export function displayKey(key: string): string {
  if (key.startsWith('\u0000')) {
    const parts = key.split('\u0000').slice(1, -1);
    return `(${parts.map((p) => JSON.stringify(p)).join(', ')})`;
  }
  // eslint-disable-next-line no-control-regex
  return key.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function Version({ read }: { read: KeyRead }) {
  return <span className="muted">{read.version ? `v${read.version.blockNum}:${read.version.txNum}` : 'absent'}</span>;
}

/** Where a committed transaction sits, so its values can be read whole from its block. */
export interface CommittedAt {
  blockNumber: string;
  txId: string;
}

function Write({ write, namespace, at }: { write: KeyWrite; namespace: string; at?: CommittedAt }) {
  return (
    <li data-testid="rwset-write" data-key={write.key}>
      <span className="mono">{displayKey(write.key)}</span>
      {write.isDelete ? (
        <span className="rwset-delete"> deleted</span>
      ) : write.value ? (
        <LedgerValueView value={write.value} testId="rwset-value" {...(at ? { origin: { namespace, key: write.key, ...at } } : {})} />
      ) : null}
    </li>
  );
}

function Namespace({ ns, at }: { ns: NamespaceReadWriteSet; at?: CommittedAt }) {
  return (
    <div className="rwset-namespace" data-testid="rwset-namespace" data-namespace={ns.namespace}>
      <div className="subhead">{ns.namespace}</div>
      {ns.reads.length > 0 ? (
        <>
          <div className="muted">Reads</div>
          <ul>
            {ns.reads.map((r, i) => (
              <li key={`r${i}`} data-testid="rwset-read" data-key={r.key}>
                <span className="mono">{displayKey(r.key)}</span> <Version read={r} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {ns.rangeQueries.map((q, i) => (
        <div key={`q${i}`} data-testid="rwset-range">
          <div className="muted">
            Range [{displayKey(q.startKey) || '(start)'}, {displayKey(q.endKey) || '(end)'}){q.exhausted ? '' : ', not read to its end'}
            {q.reads ? `: ${q.reads.length} key(s)` : ': large range, only its hash is kept'}
          </div>
        </div>
      ))}
      {ns.writes.length > 0 ? (
        <>
          <div className="muted">Writes</div>
          <ul>
            {ns.writes.map((w, i) => (
              <Write key={`w${i}`} write={w} namespace={ns.namespace} {...(at ? { at } : {})} />
            ))}
          </ul>
        </>
      ) : null}
      {ns.collections.map((c) => (
        <div key={c.collection} className="muted" data-testid="rwset-collection">
          Private collection {c.collection}: {c.readKeyHashes.length} read(s), {c.writes.length} write(s) (only hashes are on the channel)
        </div>
      ))}
    </div>
  );
}

/** What a transaction read and wrote, per namespace, folded by default under a count. `at`: where it was committed (absent for an evaluate). */
export function ReadWriteSetView({ set, at }: { set: ReadWriteSet; at?: CommittedAt }) {
  const namespaces = [...set.namespaces].sort((a, b) => Number(systemNamespaces.has(a.namespace)) - Number(systemNamespaces.has(b.namespace)));
  const reads = namespaces.reduce((n, ns) => n + ns.reads.length + ns.rangeQueries.length, 0);
  const writes = namespaces.reduce((n, ns) => n + ns.writes.length, 0);
  return (
    <details className="result-rwset" data-testid="result-rwset">
      <summary data-testid="result-rwset-summary">
        Read/write set: {reads} read{reads === 1 ? '' : 's'}, {writes} write{writes === 1 ? '' : 's'}
      </summary>
      {namespaces.length === 0 ? <div className="muted">Nothing read or written.</div> : namespaces.map((ns) => <Namespace key={ns.namespace} ns={ns} {...(at ? { at } : {})} />)}
    </details>
  );
}
