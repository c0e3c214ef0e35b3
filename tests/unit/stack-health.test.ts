import { describe, expect, it } from 'vitest';
import { downComponents, type ComponentStatus } from '../../scripts/stack';

const row = (component: string, healthy: boolean): ComponentStatus => ({
  component,
  address: '-',
  healthy,
  detail: '',
});

describe('which components fail `stack up|status` and `npm start`', () => {
  it('every component that is down but the Web UI, which the Temporal server mode does not have', () => {
    expect(downComponents([row('postgres', true), row('temporal', true), row('temporal-ui', false)])).toEqual(
      [],
    );
    expect(
      downComponents([row('redis', false), row('temporal', false), row('temporal-ui', false)]).map(
        (s) => s.component,
      ),
    ).toEqual(['redis', 'temporal']);
  });
});
