/** Client-side constants: timings and limits, named with their units. */

/** First delay before reconnecting after the socket drops. */
export const reconnectInitialDelayMs = 250;
/** Longest delay between reconnect attempts. */
export const reconnectMaxDelayMs = 5_000;
/** How long a request made while disconnected waits for the connection before failing. */
export const queuedRequestTimeoutMs = 30_000;
/** Log lines kept in memory per source; older lines of a source are dropped. */
export const logLinesKeptPerSourceMax = 2_000;
/** Log lines rendered at once; the view shows the newest that match the filter. */
export const logLinesRenderedMax = 2_000;
/** Debug console entries kept. */
export const consoleEntriesKeptMax = 1_000;
/** Invokes kept in the transaction history. */
export const invokeHistoryMax = 50;
/** Quiet time after the last keystroke before the unsaved text is written to localStorage. */
export const unsavedEditPersistDelayMs = 300;
/** Quiet time after the last breakpoint change before it is sent to the server. */
export const breakpointSyncDelayMs = 150;
/** Quick open lists at most this many files. */
export const quickOpenResultsMax = 50;
/** Search across files waits this long after the last keystroke before asking the server. */
export const searchDebounceMs = 200;
