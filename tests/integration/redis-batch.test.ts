import { afterAll, describe, expect, it } from 'vitest';
import { RedisBatch } from '../../activities/infra/redis-batch';
import { testStores } from '../helpers/platform';
import { deleteKeys } from '../helpers/scratch';
import { createServer, type AddressInfo } from 'node:net';
import { createRedis } from '../../activities/infra/redis';

const prefix = `ab-batch-${Math.random().toString(36).slice(2, 8)}:`;

describe('RedisBatch: many commands in one MULTI/EXEC on a connection of its own', () => {
  const stores = testStores();
  afterAll(async () => {
    await deleteKeys(stores.redis, [`${prefix}*`]);
    await stores.close();
  });

  it("applies every command in order, in one transaction, on the client's database", async () => {
    const fields = Array.from({ length: 10_000 }, (_, i) => [`f${i}`, `v${i}`]).flat();
    const b = new RedisBatch()
      .call('set', `${prefix}a`, '1')
      .call('incrby', `${prefix}a`, 41)
      .call('hset', `${prefix}h`, 'x|y|-', '{"price":"2.5","name":"Atlético"}')
      .call('hset', `${prefix}big`, ...fields)
      .call('expire', `${prefix}big`, 60)
      .last('set', `${prefix}marker`, 'applied');
    expect(b.length).toBe(6);
    await b.exec(stores.redis);
    expect(await stores.redis.get(`${prefix}a`)).toBe('42');
    // Lengths are counted in bytes: a value that is not ASCII arrives whole.
    expect(JSON.parse((await stores.redis.hget(`${prefix}h`, 'x|y|-'))!)).toEqual({
      price: '2.5',
      name: 'Atlético',
    });
    expect(await stores.redis.hlen(`${prefix}big`)).toBe(10_000);
    expect(await stores.redis.hget(`${prefix}big`, 'f9999')).toBe('v9999');
    expect(await stores.redis.ttl(`${prefix}big`)).toBeGreaterThan(0);
    expect(await stores.redis.get(`${prefix}marker`)).toBe('applied');
  });

  it('writes to the database the client selected, with its credentials', async () => {
    const { host, port } = stores.redis.options;
    const url = new URL(`redis://${host}:${port}`);
    url.pathname = '/12';
    const other = createRedis(url.toString());
    try {
      await new RedisBatch().call('set', `${prefix}db`, 'twelve').exec(other);
      expect(await other.get(`${prefix}db`)).toBe('twelve');
      expect(await stores.redis.get(`${prefix}db`)).toBeNull();
      await other.del(`${prefix}db`);
    } finally {
      await other.quit();
    }
  });

  it('takes a whole board in one batch: more arguments than one JavaScript call can be given', async () => {
    const b = new RedisBatch();
    for (let i = 0; i < 60_000; i++) b.call('hset', `${prefix}board`, `f${i}`, `v${i}`);
    await b.exec(stores.redis);
    expect(await stores.redis.hlen(`${prefix}board`)).toBe(60_000);
  });

  it('a failing command rejects the batch, naming it, and its marker is never set', async () => {
    const b = new RedisBatch()
      .call('set', `${prefix}first`, 'written')
      .call('set', `${prefix}text`, 'not a number')
      .call('incr', `${prefix}text`)
      .last('set', `${prefix}marker2`, 'applied');
    await expect(b.exec(stores.redis)).rejects.toThrow(/INCR ab-batch-\w+:text failed: .*not an integer/);
    // MULTI/EXEC applies the others all the same; only the marker tells a batch that succeeded.
    expect(await stores.redis.get(`${prefix}first`)).toBe('written');
    expect(await stores.redis.get(`${prefix}marker2`)).toBeNull();
  });

  it('a command Redis refuses to queue applies nothing', async () => {
    const b = new RedisBatch()
      .call('set', `${prefix}never`, 'x')
      .call('hset', `${prefix}h2`, 'odd number of arguments')
      .last('set', `${prefix}marker3`, 'applied');
    await expect(b.exec(stores.redis)).rejects.toThrow(
      /HSET ab-batch-\w+:h2 refused: .*wrong number of arguments/,
    );
    expect(await stores.redis.get(`${prefix}never`)).toBeNull();
    expect(await stores.redis.get(`${prefix}marker3`)).toBeNull();
  });

  it('after its connection is killed, the next batch connects again', async () => {
    const killer = stores.redis.duplicate();
    try {
      await new RedisBatch().call('set', `${prefix}k`, 'one').exec(stores.redis);
      // Kill every connection of ours except the killer's own (the batch connection among them).
      const list = (await killer.client('LIST')) as string;
      const me = await killer.client('ID');
      let killed = 0;
      for (const line of list.split('\n').filter(Boolean)) {
        const id = Number(/id=(\d+)/.exec(line)![1]);
        if (id !== me && / cmd=exec /.test(line)) {
          await killer.client('KILL', 'ID', String(id));
          killed++;
        }
      }
      expect(killed).toBeGreaterThan(0);
      await new RedisBatch().call('set', `${prefix}k`, 'two').exec(stores.redis);
      expect(await stores.redis.get(`${prefix}k`)).toBe('two');
    } finally {
      await killer.quit();
    }
  });

  it('a prepared batch applies nothing until apply(); a discarded one nothing at all', async () => {
    const queued = await new RedisBatch()
      .call('set', `${prefix}p1`, 'one')
      .last('set', `${prefix}p1m`, 'applied')
      .prepare(stores.redis);
    expect(await stores.redis.get(`${prefix}p1`)).toBeNull();
    await queued.apply();
    expect(await stores.redis.get(`${prefix}p1`)).toBe('one');
    expect(await stores.redis.get(`${prefix}p1m`)).toBe('applied');

    const dropped = await new RedisBatch()
      .call('set', `${prefix}p2`, 'two')
      .last('set', `${prefix}p2m`, 'applied')
      .prepare(stores.redis);
    await dropped.discard();
    await expect(dropped.apply()).rejects.toThrow(/once/);
    expect(await stores.redis.get(`${prefix}p2`)).toBeNull();
    expect(await stores.redis.get(`${prefix}p2m`)).toBeNull();
    // The connection it held serves the next batch, outside any transaction.
    await new RedisBatch().call('set', `${prefix}p3`, 'three').exec(stores.redis);
    expect(await stores.redis.get(`${prefix}p3`)).toBe('three');
  });

  it('batches prepared at once each hold a connection of their own', async () => {
    const a = await new RedisBatch().call('set', `${prefix}c1`, 'a').prepare(stores.redis);
    const b = await new RedisBatch().call('set', `${prefix}c2`, 'b').prepare(stores.redis);
    await b.apply();
    expect(await stores.redis.get(`${prefix}c2`)).toBe('b');
    // Had b been queued inside a's transaction, it would not be applied yet, and a's discard would drop it.
    await a.discard();
    expect(await stores.redis.get(`${prefix}c1`)).toBeNull();
    expect(await stores.redis.get(`${prefix}c2`)).toBe('b');
  });

  it("authenticates with the URL's user and password, and never shows the password", async () => {
    const user = `ab-batch-${Math.random().toString(36).slice(2, 8)}`;
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    await stores.redis.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all');
    const { host, port } = stores.redis.options;
    const good = createRedis(`redis://${user}:${password}@${host}:${port}/11`);
    const bad = createRedis(`redis://${user}:wrong-${password}@${host}:${port}/11`, {
      lazyConnect: true,
    });
    try {
      await new RedisBatch().call('set', `${prefix}acl`, 'yes').exec(good);
      expect(await good.get(`${prefix}acl`)).toBe('yes');
      await good.del(`${prefix}acl`);
      const refused = await new RedisBatch()
        .call('set', `${prefix}acl`, 'no')
        .exec(bad)
        .then(
          () => null,
          (err: Error) => err,
        );
      expect(refused?.message).toMatch(/AUTH refused: WRONGPASS/);
      expect(refused?.message).not.toContain(password);
    } finally {
      await good.quit();
      bad.disconnect();
      await stores.redis.call('ACL', 'DELUSER', user);
    }
  });

  it('sends a request again on a new socket when the server had closed the one it reused', async () => {
    // A loopback server speaking just enough RESP: the first connection answers one batch (its queue, then
    // its EXEC), then closes on the next request without a reply (as a restarted Redis would); later
    // connections answer everything.
    const connections: number[] = [];
    const server = createServer((socket) => {
      const n = connections.push(0) - 1;
      socket.on('data', (chunk) => {
        connections[n]!++;
        if (n === 0 && connections[n]! > 2) return socket.destroy();
        // One SET in MULTI: +OK, +QUEUED; then EXEC's one reply.
        socket.write(chunk.toString().includes('EXEC') ? '*1\r\n+OK\r\n' : '+OK\r\n+QUEUED\r\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = createRedis(`redis://127.0.0.1:${port}`, { lazyConnect: true });
    try {
      await new RedisBatch().call('set', 'k', 'v').exec(client);
      await new RedisBatch().call('set', 'k', 'w').exec(client);
      expect(connections.length).toBe(2);
    } finally {
      client.disconnect();
      server.close();
    }
  });
});
