/**
 * What the ledger view asks about one sandbox's channel, kept from its
 * committed blocks as they are delivered: recent blocks, every chaincode
 * namespace's world state, and each key's history. It holds no state of its
 * own making: it is rebuilt by replaying the channel's blocks from 0 (after a
 * server restart, a sandbox restart or a reset ledger alike). Only VALID
 * transactions change the state, as on the peer.
 */
import type { KeyHistoryEntry, LedgerBlock, LedgerBlockSummary, LedgerTransaction, LedgerValue, WorldStateEntry } from '../../protocol/ledger.ts';
import { ledgerBlocksKept, ledgerHistoryPerKey, ledgerIndexValueBudgetBytes, ledgerValueOverBudgetBytes } from '../config.ts';

export interface WorldStatePage {
  total: number;
  entries: WorldStateEntry[];
}

export interface LedgerIndex {
  /** The height seen so far: the next block number expected. */
  readonly height: bigint;
  /** The oldest block kept whole (older ones are read from the peer); the height when none is kept yet. */
  readonly oldestKept: bigint;
  apply(block: LedgerBlock): void;
  /** Blocks newest first, those below `before` when given. */
  blocks(options: { before?: bigint; limit: number }): LedgerBlockSummary[];
  transaction(txId: string): (LedgerTransaction & { blockNumber: string }) | undefined;
  namespaces(): string[];
  /** A page of one namespace's keys in key order, those containing `search` when given. */
  worldState(options: { namespace: string; search?: string; offset: number; limit: number }): WorldStatePage;
  /** A key's writes, oldest first. */
  keyHistory(namespace: string, key: string): KeyHistoryEntry[];
}

/** A block as listed: its transactions without their read/write sets. */
export function blockSummary(block: LedgerBlock): LedgerBlockSummary {
  return {
    number: block.number,
    ...(block.time ? { time: block.time } : {}),
    transactions: block.transactions.map(({ txId, type, time, creatorMsp, chaincode, fn, validationCode }) => ({ txId, type, time, creatorMsp, chaincode, fn, validationCode })),
  };
}

export function createLedgerIndex(): LedgerIndex {
  return new Index();
}

/** Namespaces of Fabric itself: not chaincode state a developer looks at. */
const systemNamespaces = new Set(['_lifecycle', 'lscc']);

class Index implements LedgerIndex {
  #height = 0n;
  readonly #blocks: LedgerBlock[] = [];
  readonly #txBlock = new Map<string, LedgerBlock>();
  readonly #state = new Map<string, Map<string, WorldStateEntry>>();
  readonly #sortedKeys = new Map<string, string[]>();
  readonly #history = new Map<string, Map<string, KeyHistoryEntry[]>>();
  #valueBytes = 0;

  get height(): bigint {
    return this.#height;
  }

  get oldestKept(): bigint {
    const first = this.#blocks[0];
    return first ? BigInt(first.number) : this.#height;
  }

  apply(block: LedgerBlock): void {
    const number = BigInt(block.number);
    if (number < this.#height) return; // delivered again after a reconnect
    this.#height = number + 1n;
    this.#blocks.push(block);
    for (const tx of block.transactions) if (tx.txId) this.#txBlock.set(tx.txId, block);
    while (this.#blocks.length > ledgerBlocksKept) {
      for (const tx of this.#blocks.shift()?.transactions ?? []) this.#txBlock.delete(tx.txId);
    }
    block.transactions.forEach((tx, txNum) => {
      if (tx.validationCode === 'VALID') this.#applyWrites(tx, { blockNum: block.number, txNum: String(txNum) });
    });
  }

  #applyWrites(tx: LedgerTransaction, version: WorldStateEntry['version']): void {
    for (const ns of tx.readWriteSet.namespaces) {
      if (systemNamespaces.has(ns.namespace) || ns.writes.length === 0) continue;
      const state = this.#map(this.#state, ns.namespace);
      const history = this.#map(this.#history, ns.namespace);
      for (const write of ns.writes) {
        const value = write.value ? this.#kept(write.value) : undefined;
        const had = state.has(write.key);
        if (write.isDelete || !value) state.delete(write.key);
        else state.set(write.key, { key: write.key, value, version });
        if (had !== state.has(write.key)) this.#sortedKeys.delete(ns.namespace);
        const entries = history.get(write.key) ?? [];
        entries.push({ txId: tx.txId, version, ...(tx.time ? { time: tx.time } : {}), isDelete: write.isDelete, ...(value ? { value } : {}) });
        if (entries.length > ledgerHistoryPerKey) entries.shift();
        history.set(write.key, entries);
      }
    }
  }

  /** Keeps a value whole while the index is within its memory budget, cut short after. */
  #kept(value: LedgerValue): LedgerValue {
    if (this.#valueBytes + value.text.length <= ledgerIndexValueBudgetBytes) {
      this.#valueBytes += value.text.length;
      return value;
    }
    if (value.text.length <= ledgerValueOverBudgetBytes) return value;
    return { ...value, text: value.text.slice(0, ledgerValueOverBudgetBytes), truncated: true };
  }

  #map<V>(maps: Map<string, Map<string, V>>, namespace: string): Map<string, V> {
    let map = maps.get(namespace);
    if (!map) maps.set(namespace, (map = new Map()));
    return map;
  }

  blocks({ before, limit }: { before?: bigint; limit: number }): LedgerBlockSummary[] {
    const out: LedgerBlockSummary[] = [];
    for (let i = this.#blocks.length - 1; i >= 0 && out.length < limit; i--) {
      const block = this.#blocks[i];
      if (!block || (before !== undefined && BigInt(block.number) >= before)) continue;
      out.push(blockSummary(block));
    }
    return out;
  }

  transaction(txId: string): (LedgerTransaction & { blockNumber: string }) | undefined {
    const block = this.#txBlock.get(txId);
    const tx = block?.transactions.find((t) => t.txId === txId);
    return block && tx ? { ...tx, blockNumber: block.number } : undefined;
  }

  namespaces(): string[] {
    return [...this.#history.keys()].sort();
  }

  worldState({ namespace, search, offset, limit }: { namespace: string; search?: string; offset: number; limit: number }): WorldStatePage {
    const state = this.#state.get(namespace);
    if (!state) return { total: 0, entries: [] };
    let keys = this.#sortedKeys.get(namespace);
    if (!keys) this.#sortedKeys.set(namespace, (keys = [...state.keys()].sort()));
    const matching = search ? keys.filter((k) => k.includes(search) || (state.get(k)?.value.text.includes(search) ?? false)) : keys;
    const entries = matching.slice(offset, offset + limit).flatMap((k) => {
      const entry = state.get(k);
      return entry ? [entry] : [];
    });
    return { total: matching.length, entries };
  }

  keyHistory(namespace: string, key: string): KeyHistoryEntry[] {
    return [...(this.#history.get(namespace)?.get(key) ?? [])];
  }
}
