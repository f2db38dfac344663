// @ts-check
// Who runs what inside the container. The launcher starts as root with only
// SETUID, SETGID and KILL; the agent runs as the sandbox uid and keeps those
// three (as ambient capabilities) to start the chaincode under a uid of its
// own and to end it. Everything the agent starts sheds them: orderer, peer and
// CLI run as the sandbox uid with no capabilities, the chaincode as the
// chaincode uid with none, so it can neither signal the peer nor read the
// agent's memory, environment or token.
import { agentCapabilities, chaincodeOomScoreAdj, chaincodeUid, sandboxUid } from './constants.mjs';

export const setpriv = '/usr/bin/setpriv';
/** util-linux's choom: sets the oom_score_adj of what it runs (raising one's own needs no privilege). */
export const choom = '/usr/bin/choom';

/** @typedef {{ command: string, args: string[] }} Command */

/**
 * The launcher's command for the agent: the sandbox uid, no supplementary
 * groups, and `agentCapabilities` carried across exec as ambient capabilities.
 * @param {string} node the Node binary
 * @param {string} main the agent's main module
 * @returns {Command}
 */
export function agentCommand(node, main) {
  const caps = agentCapabilities.map((cap) => `+${cap}`).join(',');
  const uid = String(sandboxUid);
  return { command: setpriv, args: ['--reuid', uid, '--regid', uid, '--clear-groups', '--inh-caps', caps, '--ambient-caps', caps, '--', node, main] };
}

/**
 * Runs `command` as the agent's uid with no capabilities: clearing the
 * inheritable set clears the ambient one, so nothing is kept across exec.
 * @param {string} command
 * @param {string[]} args
 * @returns {Command}
 */
export function withoutCapabilities(command, args) {
  return { command: setpriv, args: ['--inh-caps=-all', '--', command, ...args] };
}

/**
 * Runs `command` as the chaincode uid with no capabilities and the highest
 * oom_score_adj, so under memory pressure the kernel kills it, not the peer.
 * @param {string} command
 * @param {string[]} args
 * @returns {Command}
 */
export function asChaincodeUser(command, args) {
  const uid = String(chaincodeUid);
  return {
    command: setpriv,
    args: ['--reuid', uid, '--regid', uid, '--clear-groups', '--inh-caps=-all', '--', choom, '-n', String(chaincodeOomScoreAdj), '--', command, ...args],
  };
}
