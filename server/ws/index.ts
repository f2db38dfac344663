/** The WebSocket edge: handler types, the notification hub, the endpoint and its parts. */
export type { Handlers, RequestContext } from './handlers.ts';
export { createHub, type Hub, type HubMember, type StudioHub } from './hub.ts';
export { createDispatcher, describeIssues, type Dispatcher, type DispatcherOptions, type IssueDescription } from './dispatcher.ts';
export { defaultEdgeLimits, type EdgeLimits } from './edgeLimits.ts';
export { consoleEdgeLogger, type EdgeLogger } from './edgeLogger.ts';
export { RequestGate, type RequestGateLimits } from './requestGate.ts';
export { CloseCode } from './connection.ts';
export { createWsEndpoint, tokenProtocolPrefix, type WsEndpoint, type WsEndpointOptions } from './wsEndpoint.ts';
