import { describe, expect, it } from 'vitest';
import * as server from '../../server/config.js';
import * as agent from './constants.mjs';

// The agent runs as plain JavaScript in the container, so it keeps its own copy
// of the values both sides must agree on; this is where a drift shows.
describe('values the agent and the server share', () => {
  it('agree on ports, channel, MSP id and uids (with no override in the environment)', () => {
    expect(agent.agentPort).toBe(server.agentPort);
    expect(agent.peerPort).toBe(server.peerPort);
    expect(agent.channel).toBe(server.channelName);
    expect(agent.mspId).toBe(server.mspId);
    expect(agent.sandboxUid).toBe(server.sandboxUid);
    expect(agent.chaincodeUid).toBe(server.chaincodeUid);
  });
});
