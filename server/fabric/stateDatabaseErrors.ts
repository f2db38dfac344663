/**
 * The peer's words for a rich query on LevelDB, made into a message that
 * says why it failed and how the same query runs: the sandbox's state
 * database is LevelDB, the only one available here.
 */

// What Fabric's LevelDB state database answers to GetQueryResult and its paginated form.
const richQueryOnLevelDb = /ExecuteQuery(WithPagination)? not supported for leveldb/i;

/** True when `message` is the peer refusing a rich query because the state database is LevelDB. */
export function isRichQueryOnLevelDb(message: string): boolean {
  return richQueryOnLevelDb.test(message);
}

/** `message` with the reason and the way out added when it is a rich query on LevelDB; else `message` unchanged. */
export function explainStateDatabaseError(message: string): string {
  if (!isRichQueryOnLevelDb(message)) return message;
  return (
    `${message} — GetQueryResult is a CouchDB rich query, and this sandbox's state database is LevelDB, which answers only key and range reads ` +
    '(GetState, GetStateByRange, GetStateByPartialCompositeKey). The same query, a JSON selector such as {"selector":{"owner":"Tom"}}, runs unchanged on peers ' +
    'whose state database is CouchDB (core.yaml ledger.state.stateDatabase: CouchDB; the Fabric test network: ./network.sh up -s couchdb). CouchDB is not available here: ' +
    'to exercise the contract in this sandbox, read with a range or composite-key query.'
  );
}
