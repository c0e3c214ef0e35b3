import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Redis } from 'ioredis';
import { noteRedisFailure } from './redis-failures';

/**
 * Many Redis commands in ONE round trip, applied atomically (MULTI/EXEC: nothing else runs in between), for
 * the writes of a poll (issue 14) and every other board or last-known write. The commands are encoded here as
 * they are added, and sent on a connection of the batch's own beside the client's (BatchConnectionPool):
 * ioredis's own work per command (a Command, a promise and a reply each) was most of a large poll's Redis
 * time, and a Lua script taking the commands as arguments spent about as long turning them into Lua strings
 * (`npm run bench -- ingestion`, the recorded NFL responses: about 600 commands a poll). A batch can be
 * queued (prepare) and applied later: a poll queues its write while PostgreSQL commits.
 *
 * MULTI/EXEC runs every command even when one fails (a wrong type): exec() then rejects, naming it. Commands
 * given to last() (a commit marker) are sent only after every other command succeeded, so a batch that
 * failed never carries its marker.
 */
export class RedisBatch {
  private readonly queued = new CommandList('*1\r\n$5\r\nMULTI\r\n');
  private readonly markers = new CommandList('');

  /** Encoded at once (RESP appended to the batch): no array of arguments is kept. */
  call(command: string, ...args: (string | number)[]): this {
    this.queued.add(command, args);
    return this;
  }

  /** A command run once the rest of the batch has applied without an error (a commit marker). */
  last(command: string, ...args: (string | number)[]): this {
    this.markers.add(command, args);
    return this;
  }

  get length(): number {
    return this.queued.count + this.markers.count;
  }

  async exec(redis: Redis): Promise<void> {
    await (await this.prepare(redis)).apply();
  }

  /**
   * Queue the commands in a transaction (MULTI) on a batch connection held for it: Redis receives, parses
   * and queues them, and applies nothing until apply() sends EXEC. A poll queues its write while PostgreSQL
   * commits, then applies it, or discards it when the commit did not happen (a crash discards it too: Redis
   * drops a transaction whose connection closes).
   */
  async prepare(redis: Redis): Promise<PreparedBatch> {
    const pool = batchConnections(redis);
    const conn = pool.acquire();
    if (this.queued.count) {
      try {
        // MULTI's +OK, then one +QUEUED per command.
        const [, ...replies] = await conn.request(this.queued.parts(), this.queued.count + 1);
        const refused = this.queued.firstError(replies, 'refused');
        if (refused) throw conn.fail(refused);
      } catch (err) {
        // Whatever was queued goes with the socket.
        conn.reset();
        pool.release(conn);
        throw err;
      }
    }
    return new PreparedBatch(pool, conn, this.queued, this.markers);
  }
}

/**
 * Commands as RESP text, appended as they come, with their names for errors. Kept as strings and turned into
 * bytes by the socket as it writes them: a large batch (a whole test board) left as buffers is memory that
 * only a full collection frees, and it landed in the sweeps measured after it.
 */
class CommandList {
  private readonly done: string[] = [];
  private text: string;
  /** Each command's name and first argument (its key): named only when one fails. */
  private readonly names: (string | number | null)[] = [];

  constructor(head: string) {
    this.text = head;
  }

  get count(): number {
    return this.names.length / 2;
  }

  /** `key` names the command in errors (its first argument unless told otherwise: never a secret). */
  add(
    command: string,
    args: readonly (string | number)[],
    key: string | number | null = args[0] ?? null,
  ): void {
    this.text += encodeCommand(command, args);
    this.names.push(command, key);
    // Cut into parts now and then: one long chain of appended strings is slow to turn into bytes.
    if (this.text.length > PART_CHARS) this.cut();
  }

  parts(): readonly string[] {
    this.cut();
    return this.done;
  }

  /** The first error among the commands' replies, as "<COMMAND> <key> <verb>: <message>", or null. */
  firstError(replies: readonly Reply[], verb: string): string | null {
    const i = replies.findIndex((r) => r instanceof RedisReplyError);
    if (i < 0) return null;
    const [command, key] = [this.names[2 * i], this.names[2 * i + 1]];
    const name = `${String(command).toUpperCase()}${key === null ? '' : ` ${key}`}`;
    return `${name} ${verb}: ${(replies[i] as Error).message}`;
  }

  private cut(): void {
    if (this.text) this.done.push(this.text);
    this.text = '';
  }
}

const PART_CHARS = 64 * 1024;

function encodeCommand(command: string, args: readonly (string | number)[]): string {
  let text = `*${args.length + 1}\r\n$${command.length}\r\n${command}\r\n`;
  for (const a of args) {
    const v = typeof a === 'string' ? a : String(a);
    text += `$${Buffer.byteLength(v)}\r\n${v}\r\n`;
  }
  return text;
}

/** A batch queued on its connection (RedisBatch.prepare): apply() or discard() it, once. */
export class PreparedBatch {
  private settled = false;

  constructor(
    private readonly pool: BatchConnectionPool,
    private readonly conn: BatchConnection,
    private readonly queued: CommandList,
    private readonly markers: CommandList,
  ) {}

  async apply(): Promise<void> {
    const conn = this.take();
    try {
      if (this.queued.count) {
        // Never sent again on another socket: the queued commands are gone with the one they were sent on.
        const [results] = await conn.request(EXEC, 1, { resend: false });
        if (results instanceof RedisReplyError) throw conn.fail(`EXEC refused: ${results.message}`);
        if (!Array.isArray(results) || results.length !== this.queued.count)
          throw conn.fail(
            `EXEC answered ${JSON.stringify(results)?.slice(0, 80)} for ${this.queued.count} commands`,
          );
        const failed = this.queued.firstError(results, 'failed');
        if (failed) throw conn.fail(failed);
      }
      if (this.markers.count) {
        const failed = this.markers.firstError(
          await conn.request(this.markers.parts(), this.markers.count),
          'failed',
        );
        if (failed) throw conn.fail(failed);
      }
    } finally {
      this.pool.release(conn);
    }
  }

  async discard(): Promise<void> {
    const conn = this.take();
    try {
      if (this.queued.count) await conn.request(DISCARD, 1, { resend: false });
    } catch {
      conn.reset();
    } finally {
      this.pool.release(conn);
    }
  }

  private take(): BatchConnection {
    if (this.settled) throw new Error('a prepared Redis batch is applied or discarded once');
    this.settled = true;
    return this.conn;
  }
}

const EXEC = Buffer.from('*1\r\n$4\r\nEXEC\r\n');
const DISCARD = Buffer.from('*1\r\n$7\r\nDISCARD\r\n');

/** An error reply from Redis (a value in a reply array, not thrown by the parser). */
class RedisReplyError extends Error {}

type Reply = string | number | null | RedisReplyError | Reply[];

/**
 * The batch connections of a client: same server, credentials, database and TLS as the client (its options,
 * so a `rediss://user:pass@host/3` URL holds for both), opened on first use. A connection is held by one
 * batch from prepare() to apply() or discard() (a transaction in between), so concurrent batches (polls of
 * several providers in one worker) each take an idle one or open another. Closed with the client.
 */
class BatchConnectionPool {
  private readonly idle: BatchConnection[] = [];

  constructor(private readonly client: Redis) {}

  acquire(): BatchConnection {
    return this.idle.pop() ?? new BatchConnection(this.client);
  }

  release(conn: BatchConnection): void {
    if (this.idle.length < MAX_IDLE_CONNECTIONS) this.idle.push(conn);
    else conn.close();
  }

  close(): void {
    for (const conn of this.idle) conn.close();
  }
}

/** Idle batch connections kept per client; more are closed when released. */
const MAX_IDLE_CONNECTIONS = 4;

const pools = new WeakMap<Redis, BatchConnectionPool>();

function batchConnections(redis: Redis): BatchConnectionPool {
  let pool = pools.get(redis);
  if (!pool) {
    pool = new BatchConnectionPool(redis);
    pools.set(redis, pool);
    const p = pool;
    // The client is closed for good (quit, or its retries given up): so are the idle sockets, until a next use.
    redis.on('end', () => p.close());
  }
  return pool;
}

/** No reply within this long: the connection is dropped and the request fails (the caller retries). */
const REPLY_TIMEOUT_MS = 30_000;

/**
 * One socket, requests answered in order (RESP2). Any socket error fails every request in flight and drops
 * the socket; the next request opens a new one. A request that failed may or may not have been applied:
 * callers' markers (last()) tell which.
 */
class BatchConnection {
  private socket: Promise<Socket> | null = null;
  private readonly waiting: {
    count: number;
    replies: Reply[];
    resolve: (r: Reply[]) => void;
    reject: (e: Error) => void;
  }[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  /** Sockets that have answered a request. */
  private readonly served = new WeakSet<Socket>();
  /** Errors that mean the connection was lost (not a reply, not a timeout). */
  private readonly lost = new WeakSet<Error>();
  /** The socket requests wait on; one being dropped no longer is. */
  private current: Socket | null = null;
  private readonly address: string;

  constructor(private readonly client: Redis) {
    const o = client.options;
    this.address = `redis${o.tls ? 's' : ''}://${o.host ?? '127.0.0.1'}:${o.port ?? 6379}/${o.db ?? 0}`;
  }

  /** An error naming the server (never its password), noted for the CLI's failure report like the client's. */
  fail(message: string): Error {
    const err = new Error(`redis ${this.address}: ${message}`);
    noteRedisFailure(err, this.address);
    return err;
  }

  private connectionLost(message: string): Error {
    const err = this.fail(message);
    this.lost.add(err);
    return err;
  }

  /**
   * Send and wait for `count` replies. A socket that had served earlier requests may have been closed by the
   * server meanwhile (a restart, an idle timeout, CLIENT KILL) without our knowing yet: when it is lost before
   * answering, the request goes once more on a new socket. Batches are safe to apply twice (their writes are
   * idempotent; announcements are at least once anyway).
   */
  async request(bytes: Buffer | readonly string[], count: number, { resend = true } = {}): Promise<Reply[]> {
    const socket = await this.open();
    const reused = this.served.has(socket);
    try {
      return await this.send(socket, bytes, count);
    } catch (err) {
      if (!resend || !reused || !this.lost.has(err as Error)) throw err;
      return this.send(await this.open(), bytes, count);
    }
  }

  close(): void {
    if (this.current) this.drop(this.current, this.fail('the client was closed'));
  }

  /** Drop the socket (and with it any transaction queued on it); the next request opens another. */
  reset(): void {
    if (this.current) this.drop(this.current, this.fail('reset'));
  }

  private send(socket: Socket, bytes: Buffer | readonly string[], count: number): Promise<Reply[]> {
    return new Promise<Reply[]>((resolve, reject) => {
      const timer = setTimeout(
        () => this.drop(socket, this.fail(`no reply in ${REPLY_TIMEOUT_MS} ms`)),
        REPLY_TIMEOUT_MS,
      );
      this.waiting.push({
        count,
        replies: [],
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      // Keeps the process alive only while a request waits for its reply.
      socket.ref();
      // A large batch goes as its parts of text, not copied into one buffer first.
      if (Buffer.isBuffer(bytes)) socket.write(bytes);
      else {
        socket.cork();
        for (const part of bytes) socket.write(part);
        socket.uncork();
      }
    });
  }

  private open(): Promise<Socket> {
    this.socket ??= this.connect().catch((err: Error) => {
      this.socket = null;
      throw err;
    });
    return this.socket;
  }

  private async connect(): Promise<Socket> {
    const o = this.client.options;
    const host = o.host ?? '127.0.0.1';
    const port = o.port ?? 6379;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = o.tls
        ? tlsConnect({ host, port, servername: host, ...(typeof o.tls === 'object' ? o.tls : {}) })
        : netConnect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(this.fail(`no connection in ${o.connectTimeout ?? 10_000} ms`));
      }, o.connectTimeout ?? 10_000);
      s.once(o.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err: Error) => {
        clearTimeout(timer);
        reject(this.fail(err.message));
      });
    });
    socket.setNoDelay(true);
    this.current = socket;
    socket.on('data', (chunk: Buffer) => this.receive(socket, chunk));
    socket.on('error', (err) => this.drop(socket, this.connectionLost(err.message)));
    socket.on('end', () => this.drop(socket, this.connectionLost('connection closed by the server')));
    socket.on('close', () => this.drop(socket, this.connectionLost('connection closed')));
    const hello = new CommandList('');
    if (o.password) hello.add('AUTH', o.username ? [o.username, o.password] : [o.password], null);
    if (o.db) hello.add('SELECT', [o.db]);
    if (hello.count) {
      // AUTH is named alone: its first argument may be the password itself.
      const failed = hello.firstError(await this.send(socket, hello.parts(), hello.count), 'refused');
      if (failed) {
        socket.destroy();
        throw this.fail(failed);
      }
    }
    socket.unref();
    return socket;
  }

  private drop(socket: Socket, err: Error): void {
    socket.destroy();
    if (socket !== this.current) return; // already dropped (an error, then its close)
    this.current = null;
    this.socket = null;
    this.buffer = Buffer.alloc(0);
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  private receive(socket: Socket, chunk: Buffer): void {
    if (socket !== this.current) return;
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    // Every reply ends with a line end: until one has arrived there is nothing new to parse (a large reply,
    // an EXEC of many commands, comes in many chunks and would be parsed again from its start each time).
    const end = this.buffer.length;
    if (end < 2 || this.buffer[end - 2] !== 0x0d || this.buffer[end - 1] !== 0x0a) return;
    let offset = 0;
    while (this.waiting.length) {
      let parsed: ReturnType<typeof parseReply>;
      try {
        parsed = parseReply(this.buffer, offset);
      } catch (err) {
        this.drop(socket, this.fail((err as Error).message));
        return;
      }
      if (!parsed) break;
      offset = parsed.end;
      const w = this.waiting[0]!;
      w.replies.push(parsed.value);
      if (w.replies.length === w.count) {
        this.waiting.shift();
        this.served.add(socket);
        w.resolve(w.replies);
      }
    }
    this.buffer = this.buffer.subarray(offset);
    if (this.waiting.length === 0) {
      if (this.buffer.length) this.drop(socket, this.fail('a reply nobody asked for'));
      else socket.unref();
    }
  }
}

/** One RESP2 reply from `offset`, or null while it has not fully arrived. */
function parseReply(buf: Buffer, offset: number): { value: Reply; end: number } | null {
  const eol = buf.indexOf('\r\n', offset, 'latin1');
  if (eol < 0) return null;
  const type = buf[offset];
  const line = buf.toString('utf8', offset + 1, eol);
  switch (type) {
    case 0x2b: // +
      return { value: line, end: eol + 2 };
    case 0x2d: // -
      return { value: new RedisReplyError(line), end: eol + 2 };
    case 0x3a: // :
      return { value: Number(line), end: eol + 2 };
    case 0x24: {
      // $
      const len = Number(line);
      if (len < 0) return { value: null, end: eol + 2 };
      if (buf.length < eol + 2 + len + 2) return null;
      return { value: buf.toString('utf8', eol + 2, eol + 2 + len), end: eol + 2 + len + 2 };
    }
    case 0x2a: {
      // *
      const n = Number(line);
      if (n < 0) return { value: null, end: eol + 2 };
      const items: Reply[] = [];
      let end = eol + 2;
      for (let i = 0; i < n; i++) {
        const item = parseReply(buf, end);
        if (!item) return null;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(`redis: unexpected reply type ${JSON.stringify(String.fromCharCode(type ?? 0))}`);
  }
}
