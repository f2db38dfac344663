// @ts-check
// Forwards an authenticated WebSocket upgrade to the chaincode's inspector,
// which listens on the container's loopback only. The bytes are piped as they
// are: the client's handshake key is passed through, so the inspector's reply
// completes the client's handshake.
import http from 'node:http';
import net from 'node:net';
import { inspectorTargetTimeoutMs, loopback } from './constants.mjs';

/**
 * The WebSocket path of the inspector's first target.
 * @param {number} port
 * @returns {Promise<string>}
 */
function inspectorTarget(port) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: loopback, port, path: '/json/list', timeout: inspectorTargetTimeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          const [target] = JSON.parse(body);
          if (!target) throw new Error('no inspector target');
          resolve(new URL(target.webSocketDebuggerUrl).pathname);
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('the inspector did not answer')));
    req.on('error', reject);
  });
}

/**
 * @param {http.IncomingMessage} req
 * @param {import('node:stream').Duplex} socket
 * @param {Buffer} head
 * @param {number} port
 */
export async function proxyInspector(req, socket, head, port) {
  /** @type {string} */
  let targetPath;
  try {
    targetPath = await inspectorTarget(port);
  } catch (err) {
    socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nThe chaincode's inspector is not reachable: ${err instanceof Error ? err.message : String(err)}\n`);
    return;
  }
  // Each debugger step is a few small frames each way: without this, delayed ACKs add ~40 ms to every one.
  if (socket instanceof net.Socket) socket.setNoDelay(true);
  const upstream = net.connect({ host: loopback, port });
  upstream.setNoDelay(true);
  upstream.once('connect', () => {
    const headers = [
      `GET ${targetPath} HTTP/1.1`,
      `Host: ${loopback}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${req.headers['sec-websocket-key']}`,
      `Sec-WebSocket-Version: ${req.headers['sec-websocket-version'] ?? '13'}`,
      '',
      '',
    ];
    upstream.write(headers.join('\r\n'));
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const close = () => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', close);
  socket.on('error', close);
  upstream.on('close', close);
  socket.on('close', close);
}
