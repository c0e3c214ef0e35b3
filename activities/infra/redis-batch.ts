import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Run the commands, in order, server-side; nothing else runs in between (a script is atomic like MULTI).
 * The commands arrive flattened in ARGV, each as its number of arguments then its arguments (no JSON to
 * decode, nothing escaped). An error stops the script: the commands before it stay applied, so writers put
 * their commit marker last. Two commands of our own: `hset+suffix` (key, suffix, field, value, …) is HSET
 * with the suffix appended to every value, so values that share a long tail (a poll's board entries) send it
 * once; `hset+if-exists` (key, field, value, …) is HSET onto an existing hash only, never creating one.
 */
const APPLY_LUA = `local i, n, done = 1, #ARGV, 0
while i <= n do
  local count = tonumber(ARGV[i])
  local name = ARGV[i + 1]
  if name == 'hset+suffix' then
    local suffix = ARGV[i + 3]
    local args = { 'hset', ARGV[i + 2] }
    for j = i + 4, i + count, 2 do
      args[#args + 1] = ARGV[j]
      args[#args + 1] = ARGV[j + 1] .. suffix
    end
    redis.call(unpack(args))
  elseif name == 'hset+if-exists' then
    if redis.call('exists', ARGV[i + 2]) == 1 then redis.call('hset', unpack(ARGV, i + 2, i + count)) end
  else
    redis.call(unpack(ARGV, i + 1, i + count))
  end
  i = i + count + 1
  done = done + 1
end
return done`;
const APPLY_SHA = createHash('sha1').update(APPLY_LUA).digest('hex');

/** Redis's Lua 5.1 unpacks at most 8,000 values: longer variadic commands are split below this. */
const MAX_ARGS = 4_000;
/** Variadic commands that may be split: arguments before the repeated part, and its width. */
const SPLITTABLE: Record<string, { head: number; width: number }> = {
  hset: { head: 2, width: 2 },
  'hset+suffix': { head: 3, width: 2 },
  'hset+if-exists': { head: 2, width: 2 },
  zadd: { head: 2, width: 2 },
  hdel: { head: 2, width: 1 },
  del: { head: 1, width: 1 },
};

/**
 * Many Redis commands in ONE round trip and one script call, for the writes of a poll (issue 14). Next to
 * MULTI/EXEC it saves ioredis's per-command client work (a Command, a promise and a reply each), which was
 * most of a poll's Redis time (`npm run bench -- ingestion`, the recorded NFL responses: about 850 commands
 * a poll). Single-node Redis
 * only: the keys are not declared to the script (the board's keys span every hash slot anyway).
 * Every board and last-known write goes through it; unlike ioredis's MULTI, whose exec() resolves with
 * per-command errors that callers must look for, a failing command rejects exec().
 */
export class RedisBatch {
  private readonly commands: string[][] = [];

  call(command: string, ...args: (string | number)[]): this {
    const all = [command, ...args.map(String)];
    const split = SPLITTABLE[command.toLowerCase()];
    if (!split || all.length <= MAX_ARGS) {
      this.commands.push(all);
      return this;
    }
    const head = all.slice(0, split.head);
    const step = Math.floor((MAX_ARGS - split.head) / split.width) * split.width;
    for (let i = split.head; i < all.length; i += step)
      this.commands.push([...head, ...all.slice(i, i + step)]);
    return this;
  }

  get length(): number {
    return this.commands.length;
  }

  async exec(redis: Redis): Promise<void> {
    if (this.commands.length === 0) return;
    // One array, never spread into a call: a whole board (the bench's 100,000 quotes) is hundreds of
    // thousands of arguments, past what a JavaScript call takes.
    const args: string[] = ['', '0'];
    for (const c of this.commands) {
      args.push(String(c.length));
      for (const a of c) args.push(a);
    }
    try {
      args[0] = APPLY_SHA;
      await redis.call('evalsha', args);
    } catch (err) {
      // A restarted (or flushed) Redis has forgotten the script: EVAL sends it again and caches it.
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      args[0] = APPLY_LUA;
      await redis.call('eval', args);
    }
  }
}
