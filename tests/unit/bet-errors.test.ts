import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { BetFailure, toFailure } from '../../activities/bets/errors';

/** Retry or not, decided in one place: what a retry cannot fix fails at once. */
describe('bet activity failure classification', () => {
  const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

  it('a CHECK violation (a NaN price refused by the money checks) is not retried', () => {
    const f = toFailure(pgError('23514'));
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect(f).toMatchObject({ nonRetryable: true, type: BetFailure.Data });
    expect((f as Error).message).toMatch(/SQLSTATE 23514/);
  });

  it('a concurrent duplicate (23505) and a serialization failure stay retryable', () => {
    for (const code of ['23505', '40001', '40P01'])
      expect(toFailure(pgError(code))).not.toBeInstanceOf(ApplicationFailure);
  });
});
