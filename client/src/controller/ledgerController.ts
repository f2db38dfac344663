import type { LedgerValue, ValueOrigin } from '../../../protocol/ledger.ts';
import { describeError } from '../rpc/rpcError.ts';
import type { LedgerAction } from '../state/ledgerState.ts';
import type { StudioDeps } from './deps.ts';

/** Rows per world state request; the table fetches the pages its visible rows fall in. */
export const worldStatePageSize = 100;
const blocksPerRequest = 50;

/** Reads the ledger for the Ledger tab: blocks (live), a transaction, world state pages, a key's history. */
export interface LedgerController {
  loadBlocks(): Promise<void>;
  /** Appends the blocks below the oldest listed ("Older blocks"). */
  loadOlderBlocks(): Promise<void>;
  /** Opens the Ledger tab at a transaction (from the result card or the block list); its block lets the server read it from the peer. */
  openTransaction(txId: string, blockNumber?: string): Promise<void>;
  /** A written value whole, read from the block that wrote it (the views show values cut at 16 KiB). */
  readValue(origin: ValueOrigin): Promise<LedgerValue>;
  /** Shows another namespace or search; fetches its first page. */
  queryWorldState(namespace: string | null, search: string): Promise<void>;
  /** Fetches the page holding `offset` unless it is there or on its way. */
  loadWorldStatePage(offset: number): Promise<void>;
  openKeyHistory(key: string): Promise<void>;
  /** Handles `ledger/block`; returns the unsubscribe function. */
  listen(): () => void;
}

export function createLedgerController(deps: StudioDeps): LedgerController {
  const { rpc, store } = deps;
  const dispatch = (action: LedgerAction): void => store.dispatch({ type: 'ledger', action });
  const ledger = () => store.getState().ledger;
  const workspace = () => store.getState().workspace;
  /** Pages asked for, as `query:offset`, so scrolling does not ask twice. */
  const inFlight = new Set<string>();

  const controller: LedgerController = {
    async loadBlocks() {
      const ws = workspace();
      if (!ws) return;
      try {
        const reply = await rpc.request('ledger/blocks', { workspace: ws, limit: blocksPerRequest });
        if (ws === workspace()) dispatch({ type: 'blocks', height: reply.height, blocks: reply.blocks });
      } catch (err) {
        if (ws === workspace()) dispatch({ type: 'blocksError', message: describeError(err).message });
      }
    },

    async loadOlderBlocks() {
      const ws = workspace();
      const oldest = ledger().blocks.blocks.at(-1)?.number;
      if (!ws || oldest === undefined || oldest === '0' || ledger().blocks.loadingOlder) return;
      dispatch({ type: 'olderBlocksLoading' });
      try {
        const reply = await rpc.request('ledger/blocks', { workspace: ws, before: oldest, limit: blocksPerRequest });
        if (ws === workspace()) dispatch({ type: 'olderBlocks', blocks: reply.blocks });
      } catch (err) {
        if (ws === workspace()) dispatch({ type: 'olderBlocksError', message: describeError(err).message });
      }
    },

    async readValue(origin) {
      const ws = workspace();
      if (!ws) throw new Error('No workspace is open.');
      return rpc.request('ledger/value', { workspace: ws, ...origin });
    },

    async openTransaction(txId, blockNumber) {
      const ws = workspace();
      if (!ws) return;
      dispatch({ type: 'txOpened', txId });
      store.dispatch({ type: 'bottomTab', tab: 'ledger' });
      try {
        const tx = await rpc.request('ledger/transaction', { workspace: ws, txId, ...(blockNumber === undefined ? {} : { blockNumber }) });
        if (ws === workspace()) dispatch({ type: 'tx', tx });
      } catch (err) {
        if (ws === workspace()) dispatch({ type: 'txError', txId, message: describeError(err).message });
      }
    },

    async queryWorldState(namespace, search) {
      dispatch({ type: 'worldStateQuery', namespace, search });
      await controller.loadWorldStatePage(0);
    },

    async loadWorldStatePage(offset) {
      const ws = workspace();
      if (!ws) return;
      const { query, fresh, namespace, search } = ledger().worldState;
      const start = offset - (offset % worldStatePageSize);
      const key = `${query}:${start}`;
      if (fresh[start] || inFlight.has(key)) return;
      inFlight.add(key);
      try {
        const reply = await rpc.request('ledger/worldState', {
          workspace: ws,
          ...(namespace ? { namespace } : {}),
          ...(search ? { search } : {}),
          offset: start,
          limit: worldStatePageSize,
        });
        if (ws === workspace()) dispatch({ type: 'worldStatePage', query, offset: start, ...reply });
      } catch (err) {
        if (ws === workspace()) dispatch({ type: 'worldStateError', query, message: describeError(err).message });
      } finally {
        inFlight.delete(key);
      }
    },

    async openKeyHistory(key) {
      const ws = workspace();
      if (!ws) return;
      const namespace = ledger().worldState.namespace;
      dispatch({ type: 'keyHistoryOpened', key });
      try {
        const reply = await rpc.request('ledger/keyHistory', { workspace: ws, key, ...(namespace ? { namespace } : {}) });
        if (ws === workspace()) dispatch({ type: 'keyHistory', key, history: reply.history });
      } catch (err) {
        if (ws === workspace()) dispatch({ type: 'keyHistoryError', key, message: describeError(err).message });
      }
    },

    listen() {
      const offs = [
        rpc.on('ledger/block', (p) => {
          if (p.workspace === workspace()) dispatch({ type: 'blockCommitted', block: p.block });
        }),
        // The sandbox came up (or went away): what the view shows may be stale, so read it again when loaded.
        store.subscribe(reloadWhenReady()),
      ];
      return () => offs.forEach((off) => off());
    },
  };

  function reloadWhenReady(): () => void {
    let lastPhase: string | undefined;
    return () => {
      const { status, ledger: l } = store.getState();
      const phase = status?.phase;
      if (phase === lastPhase) return;
      lastPhase = phase;
      if (phase === 'ready' && l.blocks.loaded) {
        void controller.loadBlocks();
        void controller.queryWorldState(l.worldState.namespace, l.worldState.search);
      }
    };
  }

  return controller;
}
