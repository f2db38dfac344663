// Log lines of the sandbox's processes: tagged by source, timestamped, kept in
// a ring buffer for late subscribers, and rate-limited per source so a chaincode
// that floods stdout cannot drown the peer's lines or the server.

const historyLines = 2000;
const maxLinesPerSecond = 500;
const maxLineChars = 4000;

export class LogHub {
  #history = [];
  #subscribers = new Set();
  #budget = new Map();

  /** Adds one line from `source` (peer, orderer, chaincode, sandbox). */
  write(source, text) {
    const second = Math.floor(Date.now() / 1000);
    let budget = this.#budget.get(source);
    if (!budget || budget.second !== second) {
      if (budget) this.#reportDropped(source, budget);
      budget = { second, count: 0, dropped: 0 };
      this.#budget.set(source, budget);
    }
    budget.count += 1;
    if (budget.count > maxLinesPerSecond) {
      budget.dropped += 1;
      // Say so even when the flood ends with this second and no later line would report it.
      if (budget.dropped === 1) setTimeout(() => this.#reportDropped(source, budget), 1000 - (Date.now() % 1000) + 5).unref();
      return;
    }
    this.#emit(source, text.length > maxLineChars ? `${text.slice(0, maxLineChars)}… (line cut at ${maxLineChars} characters)` : text);
  }

  #reportDropped(source, budget) {
    if (budget.dropped === 0 || budget.reported) return;
    budget.reported = true;
    this.#emit('sandbox', `${budget.dropped} ${source} log lines dropped: over the log rate limit of ${maxLinesPerSecond} lines per second`);
  }

  #emit(source, text) {
    const event = { type: 'log', source, time: new Date().toISOString(), text };
    this.#history.push(event);
    if (this.#history.length > historyLines) this.#history.splice(0, this.#history.length - historyLines);
    for (const subscriber of this.#subscribers) subscriber(event);
  }

  /** Pipes a child's stdout and stderr into the hub, line by line. */
  attach(source, child) {
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        pending += chunk;
        // A flood without newlines must not grow `pending` without bound.
        if (pending.length > maxLineChars * 4) pending += '\n';
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line.length > 0) this.write(source, line.replace(/\r$/, ''));
      });
      stream.on('end', () => {
        if (pending.length > 0) this.write(source, pending);
        pending = '';
      });
    }
  }

  history() {
    return [...this.#history];
  }

  subscribe(fn) {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  /** Sends a non-log event (status changes) to every subscriber. */
  publish(event) {
    for (const subscriber of this.#subscribers) subscriber(event);
  }
}
