import { useEffect } from 'react';
import type { LedgerBlockSummary } from '../../../protocol/ledger.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { LedgerValueView } from './LedgerValueView.tsx';
import { ReadWriteSetView } from './ReadWriteSetView.tsx';
import { WorldStateView } from './WorldStateView.tsx';

const shortTx = (txId: string): string => (txId.length > 12 ? `${txId.slice(0, 12)}…` : txId);
const shortTime = (iso?: string): string => (iso ? new Date(iso).toLocaleTimeString() : '');

/** The Ledger tab: committed blocks (live) with a transaction's details, and the world state. */
export function LedgerView() {
  const controller = useController();
  const section = useStudio((s) => s.ledger.section);
  const loaded = useStudio((s) => s.ledger.blocks.loaded);
  const workspace = useStudio((s) => s.workspace);
  useEffect(() => {
    if (!loaded && workspace) void controller.ledger.loadBlocks();
  }, [controller, loaded, workspace]);
  const select = (next: 'blocks' | 'worldState') => controller.deps.store.dispatch({ type: 'ledger', action: { type: 'section', section: next } });
  return (
    <div className="ledger-view" data-testid="ledger-view">
      <div className="ledger-sections" role="tablist">
        <button role="tab" aria-selected={section === 'blocks'} className={`ledger-section${section === 'blocks' ? ' active' : ''}`} data-testid="ledger-section-blocks" onClick={() => select('blocks')}>
          Blocks
        </button>
        <button role="tab" aria-selected={section === 'worldState'} className={`ledger-section${section === 'worldState' ? ' active' : ''}`} data-testid="ledger-section-world-state" onClick={() => select('worldState')}>
          World state
        </button>
      </div>
      {section === 'blocks' ? <BlocksSection /> : <WorldStateView />}
    </div>
  );
}

function BlocksSection() {
  const blocks = useStudio((s) => s.ledger.blocks);
  const tx = useStudio((s) => s.ledger.tx);
  return (
    <div className="ledger-split">
      <div className="ledger-blocks" data-testid="ledger-blocks">
        {blocks.error ? (
          <div className="ledger-error" data-testid="ledger-error">
            {blocks.error}
          </div>
        ) : !blocks.loaded ? (
          <div className="muted">Reading the ledger…</div>
        ) : blocks.blocks.length === 0 ? (
          <div className="muted">No blocks yet.</div>
        ) : (
          <>
            {blocks.blocks.map((b) => (
              <BlockRow key={b.number} block={b} openTx={tx?.txId ?? null} />
            ))}
            <OlderBlocks />
          </>
        )}
      </div>
      {tx ? <TransactionDetail /> : null}
    </div>
  );
}

/** Pages to blocks older than those listed (read from the peer when the server no longer keeps them), down to block 0. */
function OlderBlocks() {
  const controller = useController();
  const blocks = useStudio((s) => s.ledger.blocks);
  const oldest = blocks.blocks.at(-1)?.number;
  if (oldest === undefined || oldest === '0') return null;
  return (
    <div className="ledger-older">
      <button className="btn small" data-testid="ledger-older-blocks" disabled={blocks.loadingOlder} onClick={() => void controller.ledger.loadOlderBlocks()}>
        {blocks.loadingOlder ? 'Reading older blocks…' : `Older blocks (below ${oldest})`}
      </button>
      {blocks.olderError ? (
        <div className="ledger-error" data-testid="ledger-older-error">
          {blocks.olderError}
        </div>
      ) : null}
    </div>
  );
}

function BlockRow({ block, openTx }: { block: LedgerBlockSummary; openTx: string | null }) {
  const controller = useController();
  return (
    <div className="ledger-block" data-testid="ledger-block" data-number={block.number}>
      <div className="ledger-block-head">
        <span className="ledger-block-number">Block {block.number}</span>
        <span className="muted">{shortTime(block.time)}</span>
        <span className="muted">
          {block.transactions.length} transaction{block.transactions.length === 1 ? '' : 's'}
        </span>
      </div>
      {block.transactions.map((t) => (
        <button
          key={t.txId || `${block.number}-${t.type}`}
          className={`ledger-tx-row${openTx === t.txId ? ' selected' : ''}`}
          data-testid="ledger-tx-row"
          data-txid={t.txId}
          disabled={!t.txId}
          onClick={() => void controller.ledger.openTransaction(t.txId, block.number)}
          title={t.txId}
        >
          <span className="mono">{shortTx(t.txId)}</span>
          <span>{t.fn ?? t.type}</span>
          <span className="muted">{t.creatorMsp ?? ''}</span>
          <span className={t.validationCode === 'VALID' ? 'valid' : 'invalid'}>{t.validationCode}</span>
        </button>
      ))}
    </div>
  );
}

function TransactionDetail() {
  const controller = useController();
  const view = useStudio((s) => s.ledger.tx);
  if (!view) return null;
  const close = () => controller.deps.store.dispatch({ type: 'ledger', action: { type: 'txClosed' } });
  const tx = view.tx;
  return (
    <div className="ledger-tx" data-testid="ledger-tx" data-txid={view.txId}>
      <div className="ledger-tx-head">
        <span className="mono" title={view.txId}>
          {shortTx(view.txId)}
        </span>
        <button className="btn small" data-testid="ledger-tx-close" onClick={close}>
          Close
        </button>
      </div>
      {view.error ? (
        <div className="ledger-error" data-testid="ledger-tx-error">
          {view.error}
        </div>
      ) : !tx ? (
        <div className="muted">Reading the transaction…</div>
      ) : (
        <>
          <dl className="result-fields">
            <dt>txId</dt>
            <dd className="mono" data-testid="ledger-tx-id">
              {tx.txId}
            </dd>
            <dt>Block</dt>
            <dd data-testid="ledger-tx-block">{tx.blockNumber}</dd>
            <dt>Time</dt>
            <dd>{tx.time ?? ''}</dd>
            <dt>Creator</dt>
            <dd data-testid="ledger-tx-creator">{tx.creatorMsp ?? ''}</dd>
            <dt>Chaincode</dt>
            <dd>{tx.chaincode ?? tx.type}</dd>
            <dt>Function</dt>
            <dd className="mono" data-testid="ledger-tx-fn">
              {tx.fn ?? ''}
            </dd>
            <dt>Args</dt>
            <dd className="mono" data-testid="ledger-tx-args">
              {(tx.args ?? []).map((a) => JSON.stringify(a)).join(', ')}
            </dd>
            <dt>Endorsers</dt>
            <dd data-testid="ledger-tx-endorsers">{tx.endorsers.join(', ')}</dd>
            <dt>Validation</dt>
            <dd data-testid="ledger-tx-validation" className={tx.validationCode === 'VALID' ? 'valid' : 'invalid'}>
              {tx.validationCode}
            </dd>
          </dl>
          {tx.events.length > 0 ? (
            <div data-testid="ledger-tx-events">
              <div className="subhead">Events</div>
              {tx.events.map((e, i) => (
                <div key={`${e.name}:${i}`}>
                  <span className="event-name">{e.name}</span>
                  <LedgerValueView value={e.payload} testId="ledger-event-payload" />
                </div>
              ))}
            </div>
          ) : null}
          <ReadWriteSetView set={tx.readWriteSet} at={{ blockNumber: tx.blockNumber, txId: tx.txId }} />
        </>
      )}
    </div>
  );
}
