import { io, Socket } from 'socket.io-client';
import { ClientLogin, FromClients, PostReceipts, ToClients } from './protocol';

/**
 * A process that holds a share of the live-feed clients and timestamps every `timeline:post` they
 * receive. Clients live apart from the load script so that posting and polling never delay a
 * receipt timestamp, and a thousand sockets are spread over more than one event loop.
 */
const CONNECT_CONCURRENCY = 25;
const CONNECT_TIMEOUT_MS = 20_000;

interface Post {
  id: string;
  createdAt: string;
}

const sockets: Socket[] = [];
let receipts = new Map<string, { delays: number[]; users: Set<string>; duplicates: number }>();
let received = 0;
let reported = 0;
let disconnects = 0;

function send(message: FromClients): void {
  process.send?.(message);
}

function record(userId: string, post: Post): void {
  const delay = Date.now() - Date.parse(post.createdAt);
  let entry = receipts.get(post.id);
  if (!entry) receipts.set(post.id, (entry = { delays: [], users: new Set(), duplicates: 0 }));
  if (entry.users.has(userId)) entry.duplicates++;
  else entry.users.add(userId);
  entry.delays.push(delay);
  received++;
}

function connectOne(url: string, user: ClientLogin): Promise<void> {
  const socket = io(`${url}/feed`, { auth: { token: user.token }, transports: ['websocket'], reconnection: false, forceNew: true });
  socket.on('timeline:post', (post: Post) => record(user.id, post));
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') disconnects++;
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function connectAll(url: string, users: ClientLogin[]): Promise<void> {
  let next = 0;
  let connected = 0;
  const errors: string[] = [];
  const worker = async () => {
    while (next < users.length) {
      const user = users[next++];
      try {
        await connectOne(url, user);
        connected++;
      } catch (err) {
        errors.push(`${user.id}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  send({ type: 'connected', connected, errors: errors.slice(0, 5) });
}

function collect(): void {
  const posts: Record<string, PostReceipts> = {};
  for (const [id, entry] of receipts) posts[id] = { delays: entry.delays, users: entry.users.size, duplicates: entry.duplicates };
  receipts = new Map();
  send({ type: 'collected', posts, disconnects });
}

setInterval(() => {
  if (received !== reported) {
    reported = received;
    send({ type: 'progress', received });
  }
}, 250).unref();

process.on('message', (message: ToClients) => {
  if (message.type === 'connect') void connectAll(message.url, message.users);
  else if (message.type === 'collect') collect();
  else if (message.type === 'close') {
    for (const socket of sockets) socket.close();
    send({ type: 'closed' });
    setTimeout(() => process.exit(0), 50);
  }
});
// The load script went away (crash, Ctrl-C): do not linger with open sockets.
process.on('disconnect', () => process.exit(0));
