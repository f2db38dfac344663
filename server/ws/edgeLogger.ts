/** Where the network edge reports what the user cannot see: handler crashes, refused upgrades. */
export interface EdgeLogger {
  warn(message: string): void;
  /** `err`'s stack is printed when it has one. */
  error(message: string, err?: unknown): void;
}

/** Writes to stderr. */
export const consoleEdgeLogger: EdgeLogger = {
  warn: (message) => console.warn(message),
  error: (message, err) => (err === undefined ? console.error(message) : console.error(message, err)),
};
