import { describe, expect, it } from 'vitest';
import { explainStateDatabaseError, isRichQueryOnLevelDb } from './stateDatabaseErrors.ts';

describe('rich queries on LevelDB', () => {
  it("explains the peer's refusal, keeping its words", () => {
    const peer = 'GET_QUERY_RESULT failed: transaction ID: 1f2e: ExecuteQuery not supported for leveldb';
    expect(isRichQueryOnLevelDb(peer)).toBe(true);
    expect(isRichQueryOnLevelDb('ExecuteQueryWithPagination not supported for leveldb')).toBe(true);
    const explained = explainStateDatabaseError(peer);
    expect(explained.startsWith(peer)).toBe(true);
    expect(explained).toMatch(/state database is LevelDB/);
    expect(explained).toMatch(/runs unchanged on peers whose state database is CouchDB/);
  });

  it('leaves every other message alone', () => {
    expect(explainStateDatabaseError('Asset asset1 does not exist')).toBe('Asset asset1 does not exist');
  });
});
