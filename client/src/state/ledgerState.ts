import type { KeyHistoryEntry, LedgerBlockSummary, LedgerTransaction, WorldStateEntry } from '../../../protocol/ledger.ts';

/** The block list: newest first, live; `error` holds the server's words when it cannot be read (no sandbox). */
export interface LedgerBlocks {
  loaded: boolean;
  height: string | null;
  blocks: LedgerBlockSummary[];
  error: string | null;
  /** Older blocks are being read ("Older blocks"), and what went wrong the last time. */
  loadingOlder: boolean;
  olderError: string | null;
}

/** The transaction opened in the ledger view, by txId. */
export interface LedgerTxView {
  txId: string;
  tx: (LedgerTransaction & { blockNumber: string }) | null;
  error: string | null;
}

/**
 * The world state table: the query it shows (namespace, search) and the pages
 * fetched so far, by offset; rows not yet fetched are placeholders.
 */
export interface LedgerWorldState {
  namespace: string | null;
  namespaces: string[];
  search: string;
  /** Bumps whenever the query changes, so a late page of an older query is dropped. */
  query: number;
  total: number | null;
  pages: Record<number, WorldStateEntry[]>;
  /** Pages fetched for the current query; the others are shown until their refetch lands (after a block), so rows do not blink. */
  fresh: Record<number, true>;
  error: string | null;
}

export interface LedgerKeyHistory {
  key: string;
  history: KeyHistoryEntry[] | null;
  error: string | null;
}

export interface LedgerState {
  section: 'blocks' | 'worldState';
  blocks: LedgerBlocks;
  tx: LedgerTxView | null;
  worldState: LedgerWorldState;
  keyHistory: LedgerKeyHistory | null;
}

export type LedgerAction =
  | { type: 'section'; section: LedgerState['section'] }
  | { type: 'blocks'; height: string; blocks: LedgerBlockSummary[] }
  | { type: 'blocksError'; message: string }
  | { type: 'olderBlocksLoading' }
  | { type: 'olderBlocks'; blocks: LedgerBlockSummary[] }
  | { type: 'olderBlocksError'; message: string }
  | { type: 'blockCommitted'; block: LedgerBlockSummary }
  | { type: 'txOpened'; txId: string }
  | { type: 'tx'; tx: LedgerTransaction & { blockNumber: string } }
  | { type: 'txError'; txId: string; message: string }
  | { type: 'txClosed' }
  | { type: 'worldStateQuery'; namespace: string | null; search: string }
  | { type: 'worldStatePage'; query: number; offset: number; namespace: string; namespaces: string[]; total: number; entries: WorldStateEntry[] }
  | { type: 'worldStateError'; query: number; message: string }
  | { type: 'keyHistoryOpened'; key: string }
  | { type: 'keyHistory'; key: string; history: KeyHistoryEntry[] }
  | { type: 'keyHistoryError'; key: string; message: string }
  | { type: 'keyHistoryClosed' }
  | { type: 'reset' };

/** Blocks kept in the list; older ones are dropped as new ones arrive. */
export const ledgerBlocksKeptMax = 200;
/** Blocks the list holds at most after paging to older ones; past it, the newest are dropped (a window on the chain). */
export const ledgerBlocksPagedMax = 1000;

export function initialLedgerState(): LedgerState {
  return {
    section: 'blocks',
    blocks: { loaded: false, height: null, blocks: [], error: null, loadingOlder: false, olderError: null },
    tx: null,
    worldState: { namespace: null, namespaces: [], search: '', query: 0, total: null, pages: {}, fresh: {}, error: null },
    keyHistory: null,
  };
}

/** The entry at a row of the world state table, if its page was fetched. */
export function worldStateRow(ws: LedgerWorldState, row: number, pageSize: number): WorldStateEntry | undefined {
  const offset = row - (row % pageSize);
  return ws.pages[offset]?.[row - offset];
}

const byNumberDesc = (a: LedgerBlockSummary, b: LedgerBlockSummary): number => {
  const x = BigInt(a.number);
  const y = BigInt(b.number);
  return x === y ? 0 : x > y ? -1 : 1;
};

/** Applies one ledger action. Pure: returns the same object when nothing changed. */
export function ledgerReducer(state: LedgerState, action: LedgerAction): LedgerState {
  switch (action.type) {
    case 'section':
      return state.section === action.section ? state : { ...state, section: action.section };
    case 'blocks': {
      // Keep live blocks that arrived while the list was loading.
      const seen = new Set(action.blocks.map((b) => b.number));
      const blocks = [...action.blocks, ...state.blocks.blocks.filter((b) => !seen.has(b.number))].sort(byNumberDesc).slice(0, ledgerBlocksKeptMax);
      const top = blocks[0] ? BigInt(blocks[0].number) + 1n : 0n;
      const height = top > BigInt(action.height) ? top.toString() : action.height;
      return { ...state, blocks: { ...state.blocks, loaded: true, height, blocks, error: null } };
    }
    case 'olderBlocksLoading':
      return { ...state, blocks: { ...state.blocks, loadingOlder: true, olderError: null } };
    case 'olderBlocks': {
      const oldest = state.blocks.blocks.at(-1);
      const older = action.blocks.filter((b) => !oldest || BigInt(b.number) < BigInt(oldest.number)).sort(byNumberDesc);
      const blocks = [...state.blocks.blocks, ...older];
      return { ...state, blocks: { ...state.blocks, blocks: blocks.slice(Math.max(0, blocks.length - ledgerBlocksPagedMax)), loadingOlder: false, olderError: null } };
    }
    case 'olderBlocksError':
      return { ...state, blocks: { ...state.blocks, loadingOlder: false, olderError: action.message } };
    case 'blocksError':
      return { ...state, blocks: { ...state.blocks, loaded: true, error: action.message } };
    case 'blockCommitted': {
      if (state.blocks.blocks.some((b) => b.number === action.block.number)) return state;
      const blocks = [action.block, ...state.blocks.blocks].sort(byNumberDesc).slice(0, ledgerBlocksKeptMax);
      const height = (BigInt(action.block.number) + 1n).toString();
      const newer = state.blocks.height === null || BigInt(height) > BigInt(state.blocks.height);
      // A new block may change the world state: the table refetches the pages it shows.
      return {
        ...state,
        blocks: { ...state.blocks, blocks, height: newer ? height : state.blocks.height, error: null },
        worldState: { ...state.worldState, query: state.worldState.query + 1, fresh: {}, error: null },
      };
    }
    case 'txOpened':
      return { ...state, section: 'blocks', tx: { txId: action.txId, tx: null, error: null } };
    case 'tx':
      return state.tx?.txId === action.tx.txId ? { ...state, tx: { txId: action.tx.txId, tx: action.tx, error: null } } : state;
    case 'txError':
      return state.tx?.txId === action.txId ? { ...state, tx: { txId: action.txId, tx: null, error: action.message } } : state;
    case 'txClosed':
      return state.tx ? { ...state, tx: null } : state;
    case 'worldStateQuery':
      return {
        ...state,
        worldState: { ...state.worldState, namespace: action.namespace, search: action.search, query: state.worldState.query + 1, total: null, pages: {}, fresh: {}, error: null },
        keyHistory: null,
      };
    case 'worldStatePage':
      if (action.query !== state.worldState.query) return state;
      return {
        ...state,
        worldState: {
          ...state.worldState,
          namespace: action.namespace,
          namespaces: action.namespaces,
          total: action.total,
          // A changed total shifts rows across pages: keep only what this query fetched.
          pages: action.total === state.worldState.total ? { ...state.worldState.pages, [action.offset]: action.entries } : { [action.offset]: action.entries },
          fresh: action.total === state.worldState.total ? { ...state.worldState.fresh, [action.offset]: true } : { [action.offset]: true },
          error: null,
        },
      };
    case 'worldStateError':
      if (action.query !== state.worldState.query) return state;
      return { ...state, worldState: { ...state.worldState, error: action.message } };
    case 'keyHistoryOpened':
      return { ...state, keyHistory: { key: action.key, history: null, error: null } };
    case 'keyHistory':
      return state.keyHistory?.key === action.key ? { ...state, keyHistory: { key: action.key, history: action.history, error: null } } : state;
    case 'keyHistoryError':
      return state.keyHistory?.key === action.key ? { ...state, keyHistory: { key: action.key, history: null, error: action.message } } : state;
    case 'keyHistoryClosed':
      return state.keyHistory ? { ...state, keyHistory: null } : state;
    case 'reset':
      return initialLedgerState();
  }
}
