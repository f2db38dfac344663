import { ledger } from '@hyperledger/fabric-protos';
import { describe, expect, it } from 'vitest';
import { decodeReadWriteSet, ledgerValue } from './readWriteSet.ts';

const { kvrwset } = ledger.rwset;
const text = new TextEncoder();

function kvSet(): Uint8Array {
  const read = new kvrwset.KVRead();
  read.setKey('asset1');
  const v = new kvrwset.Version();
  v.setBlockNum(7);
  v.setTxNum(2);
  read.setVersion(v);
  const fresh = new kvrwset.KVRead();
  fresh.setKey('asset9');
  const write = new kvrwset.KVWrite();
  write.setKey('asset1');
  write.setValue(text.encode('{"ID":"asset1","Size":5}'));
  const del = new kvrwset.KVWrite();
  del.setKey('asset2');
  del.setIsDelete(true);
  const rangeRead = new kvrwset.KVRead();
  rangeRead.setKey('asset3');
  const reads = new kvrwset.QueryReads();
  reads.setKvReadsList([rangeRead]);
  const range = new kvrwset.RangeQueryInfo();
  range.setStartKey('');
  range.setEndKey('');
  range.setItrExhausted(true);
  range.setRawReads(reads);
  const set = new kvrwset.KVRWSet();
  set.setReadsList([read, fresh]);
  set.setWritesList([write, del]);
  set.setRangeQueriesInfoList([range]);
  return set.serializeBinary();
}

function txSet(): Uint8Array {
  const ns = new ledger.rwset.NsReadWriteSet();
  ns.setNamespace('basic');
  ns.setRwset(kvSet());
  const hashed = new kvrwset.HashedRWSet();
  const hashedWrite = new kvrwset.KVWriteHash();
  hashedWrite.setKeyHash(Uint8Array.from([0xab, 0xcd]));
  hashedWrite.setValueHash(Uint8Array.from([0x01]));
  hashed.setHashedWritesList([hashedWrite]);
  const collection = new ledger.rwset.CollectionHashedReadWriteSet();
  collection.setCollectionName('assetCollection');
  collection.setHashedRwset(hashed.serializeBinary());
  ns.setCollectionHashedRwsetList([collection]);
  const tx = new ledger.rwset.TxReadWriteSet();
  tx.setNsRwsetList([ns]);
  return tx.serializeBinary();
}

describe('decodeReadWriteSet', () => {
  it('gives reads with versions, writes with values, deletes, range queries and collection hashes per namespace', () => {
    const [ns, ...rest] = decodeReadWriteSet(txSet()).namespaces;
    expect(rest).toEqual([]);
    expect(ns).toEqual({
      namespace: 'basic',
      reads: [{ key: 'asset1', version: { blockNum: '7', txNum: '2' } }, { key: 'asset9' }],
      rangeQueries: [{ startKey: '', endKey: '', exhausted: true, reads: [{ key: 'asset3' }] }],
      writes: [
        { key: 'asset1', isDelete: false, value: { encoding: 'utf8', text: '{"ID":"asset1","Size":5}', bytes: 24, truncated: false } },
        { key: 'asset2', isDelete: true },
      ],
      metadataWrites: [],
      collections: [{ collection: 'assetCollection', readKeyHashes: [], writes: [{ keyHash: 'abcd', isDelete: false, valueHash: '01' }] }],
    });
  });

  it('is empty for a transaction that read and wrote nothing', () => {
    expect(decodeReadWriteSet(new Uint8Array())).toEqual({ namespaces: [] });
  });
});

describe('ledgerValue', () => {
  it('shows text as text and binary as hex', () => {
    expect(ledgerValue(text.encode('héllo'))).toEqual({ encoding: 'utf8', text: 'héllo', bytes: 6, truncated: false });
    expect(ledgerValue(Uint8Array.from([0, 1, 0xff]))).toEqual({ encoding: 'hex', text: '0001ff', bytes: 3, truncated: false });
    expect(ledgerValue(text.encode('a\u0001b')).encoding).toBe('hex');
  });

  it('cuts a large value at the bound, keeping its real size and whole characters', () => {
    const value = ledgerValue(text.encode('é'.repeat(10)), 5);
    expect(value).toEqual({ encoding: 'utf8', text: 'éé', bytes: 20, truncated: true });
    expect(ledgerValue(new Uint8Array(10).fill(0xff), 4)).toEqual({ encoding: 'hex', text: 'ffffffff', bytes: 10, truncated: true });
  });
});
