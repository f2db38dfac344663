// @ts-check
// What a standby process (standbyProcess.mjs) does before the go, ahead of need: load the
// chaincode runtime, run once the runtime's own code that every start runs first, and prepare the
// debugger. None of it is the chaincode's code or data. The runtime's code cache (codeCache.mjs)
// is made from a run of the same.
import inspector from 'node:inspector';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Loads all of the runtime that `cli.js start` needs before it reads the chaincode's own code, and
 * compiles one throwaway schema the way fabric-shim compiles a contract's object types.
 * @param {NodeJS.Require} require
 * @param {string} runtime the runtime's node_modules
 */
export function preloadRuntime(require, runtime) {
  const shimDir = path.join(runtime, 'fabric-shim');
  require(path.join(shimDir, 'lib', 'chaincode.js'));
  require(path.join(runtime, 'fabric-contract-api'));
  // What `cli.js start` loads on its way to the chaincode: its commands and the contract bootstrap.
  for (const command of ['metadata.js', 'serverCommand.js', 'startCommand.js']) require(path.join(shimDir, 'lib', 'cmds', command));
  require(path.join(shimDir, 'lib', 'contract-spi', 'bootstrap.js'));
  warmSchemaCompiler(path.join(shimDir, 'lib', 'contract-spi', 'chaincodefromcontract.js'));
}

/**
 * fabric-shim compiles the contract's object types with a new Ajv at every start (with the same
 * options as here); the first compile in a process costs about 40 ms more than later ones (Ajv's
 * meta-schema, URI parsing's regular expressions, V8's cache of generated code), which a restart
 * otherwise waits for.
 * @param {string} chaincodeFromContract the fabric-shim file that does it: Ajv as it resolves it
 */
function warmSchemaCompiler(chaincodeFromContract) {
  const Ajv = createRequire(chaincodeFromContract)('ajv');
  const schemas = [{ $id: 'StandbyWarmUp', type: 'object', properties: { id: { type: 'string' }, count: { type: 'number' } }, required: ['id'] }];
  const validate = new Ajv({ useDefaults: true, coerceTypes: false, allErrors: true, schemas }).getSchema('StandbyWarmUp');
  validate?.({ id: 'warm', count: 1 });
}

/**
 * A process's first Debugger.enable costs about 120 ms of CPU (V8 prepares every script loaded
 * so far); a later one about 20. Done ahead of need, the debugger that attaches later gets the
 * cheap one. The session ends at once: nothing of it stays.
 */
export function prepareDebugger() {
  const session = new inspector.Session();
  session.connect();
  session.post('Debugger.enable', () => undefined);
  session.disconnect();
}
