/**
 * Splits a byte stream into newline-terminated lines with a bound on memory:
 * a line longer than `maxLineBytes` is dropped as soon as it passes the bound
 * (its bytes up to the next newline are skipped, never buffered whole).
 */

export interface LineSplitterOptions {
  readonly maxLineBytes: number;
  /** Called with each complete, non-empty line (UTF-8 decoded, without the newline). */
  readonly onLine: (line: string) => void;
  /** Called once per line that was dropped for its length. */
  readonly onOversized: () => void;
}

export interface LineSplitter {
  push(chunk: Buffer): void;
}

const newline = 0x0a;

export function createLineSplitter(options: LineSplitterOptions): LineSplitter {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Inside an oversized line: bytes are discarded up to its newline. */
  let skipping = false;

  const add = (part: Buffer) => {
    if (skipping || part.length === 0) return;
    if (pendingBytes + part.length > options.maxLineBytes) {
      pending = [];
      pendingBytes = 0;
      skipping = true;
      options.onOversized();
      return;
    }
    pending.push(part);
    pendingBytes += part.length;
  };

  return {
    push(chunk) {
      let start = 0;
      for (let at = chunk.indexOf(newline); at !== -1; at = chunk.indexOf(newline, start)) {
        add(chunk.subarray(start, at));
        if (!skipping && pendingBytes > 0) options.onLine(Buffer.concat(pending, pendingBytes).toString('utf8'));
        pending = [];
        pendingBytes = 0;
        skipping = false;
        start = at + 1;
      }
      add(chunk.subarray(start));
    },
  };
}
