/** What the RPC client needs from a socket, so tests can drive it without a network. */
export interface SocketHandlers {
  open(): void;
  message(data: string): void;
  /** Called once, whether the socket failed to open or dropped later. */
  close(code: number, reason: string): void;
}

/** An open (or opening) socket. */
export interface SocketConnection {
  send(data: string): void;
  close(): void;
}

/** Opens a socket to `url` and reports its events to `handlers`. */
export type ConnectSocket = (url: string, handlers: SocketHandlers) => SocketConnection;

/** The browser's WebSocket behind the `ConnectSocket` shape. */
export const connectBrowserSocket: ConnectSocket = (url, handlers) => {
  const socket = new WebSocket(url);
  let closed = false;
  const reportClose = (code: number, reason: string): void => {
    if (closed) return;
    closed = true;
    handlers.close(code, reason);
  };
  socket.addEventListener('open', () => handlers.open());
  socket.addEventListener('message', (ev: MessageEvent<unknown>) => {
    if (typeof ev.data === 'string') handlers.message(ev.data);
  });
  socket.addEventListener('close', (ev) => reportClose(ev.code, ev.reason));
  // An error is always followed by close; waiting for it keeps one path.
  socket.addEventListener('error', () => undefined);
  return {
    send: (data) => socket.send(data),
    close: () => {
      socket.close();
      reportClose(1000, 'closed by client');
    },
  };
};
