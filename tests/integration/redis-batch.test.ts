import { afterAll, describe, expect, it } from 'vitest';
import { RedisBatch } from '../../activities/infra/redis-batch';
import { testStores } from '../helpers/platform';
import { deleteKeys } from '../helpers/scratch';

const prefix = `ab-batch-${Math.random().toString(36).slice(2, 8)}:`;

describe('RedisBatch: many commands in one script call', () => {
  const stores = testStores();
  afterAll(async () => {
    await deleteKeys(stores.redis, [`${prefix}*`]);
    await stores.close();
  });

  it('applies every command in order, appends the shared suffix of hset+suffix, and splits long commands', async () => {
    const fields = Array.from({ length: 10_000 }, (_, i) => [`f${i}`, `v${i}`]).flat();
    const b = new RedisBatch()
      .call('set', `${prefix}a`, '1')
      .call('incrby', `${prefix}a`, 41)
      .call(
        'hset+suffix',
        `${prefix}h`,
        ',"tail":true}',
        'x|y|-',
        '{"price":"2.5"',
        'z|w|1.5',
        '{"price":"1.8"',
      )
      .call('hset', `${prefix}big`, ...fields)
      .call('expire', `${prefix}big`, 60);
    // 10,000 pairs are more than Lua's unpack takes in one call: sent as several HSETs.
    expect(b.length).toBeGreaterThan(5);
    await b.exec(stores.redis);
    expect(await stores.redis.get(`${prefix}a`)).toBe('42');
    expect(await stores.redis.hgetall(`${prefix}h`)).toEqual({
      'x|y|-': '{"price":"2.5","tail":true}',
      'z|w|1.5': '{"price":"1.8","tail":true}',
    });
    expect(JSON.parse((await stores.redis.hget(`${prefix}h`, 'x|y|-'))!)).toEqual({
      price: '2.5',
      tail: true,
    });
    expect(await stores.redis.hlen(`${prefix}big`)).toBe(10_000);
    expect(await stores.redis.hget(`${prefix}big`, 'f9999')).toBe('v9999');
    expect(await stores.redis.ttl(`${prefix}big`)).toBeGreaterThan(0);
  });

  it('takes a whole board in one batch: more arguments than one JavaScript call can be given', async () => {
    const b = new RedisBatch();
    for (let i = 0; i < 60_000; i++) b.call('hset', `${prefix}board`, `f${i}`, `v${i}`);
    await b.exec(stores.redis);
    expect(await stores.redis.hlen(`${prefix}board`)).toBe(60_000);
  });

  it('hset+if-exists adds fields to an existing hash and never creates one', async () => {
    await stores.redis.hset(`${prefix}present`, '_', '1');
    await new RedisBatch()
      .call('hset+if-exists', `${prefix}present`, 'slot', 'price')
      .call('hset+if-exists', `${prefix}absent`, 'slot', 'price')
      .exec(stores.redis);
    expect(await stores.redis.hgetall(`${prefix}present`)).toEqual({ _: '1', slot: 'price' });
    expect(await stores.redis.exists(`${prefix}absent`)).toBe(0);
  });

  it('sends the script again when Redis has forgotten it (a restart or SCRIPT FLUSH)', async () => {
    await new RedisBatch().call('set', `${prefix}s`, 'before').exec(stores.redis);
    await stores.redis.script('FLUSH');
    await new RedisBatch().call('set', `${prefix}s`, 'after').exec(stores.redis);
    expect(await stores.redis.get(`${prefix}s`)).toBe('after');
  });

  it('stops at a failing command: what came before stays, the marker after it is never set', async () => {
    const b = new RedisBatch()
      .call('set', `${prefix}first`, 'written')
      .call('set', `${prefix}text`, 'not a number')
      .call('incr', `${prefix}text`)
      .call('set', `${prefix}marker`, 'applied');
    await expect(b.exec(stores.redis)).rejects.toThrow(/not an integer/);
    expect(await stores.redis.get(`${prefix}first`)).toBe('written');
    expect(await stores.redis.get(`${prefix}marker`)).toBeNull();
  });
});
