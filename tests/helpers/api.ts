import type { LoadedConfig } from '../../config/load';
import { startApiServer, type RunningApi } from '../../api/server';

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export interface TestApi extends RunningApi {
  /** A request as the console sends it: JSON, with X-Alphabet-Request on writes; `headers` override. */
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiAnswer<T>>;
}

/** The API on 127.0.0.1 at a free port, against the test stack's config. */
export async function startTestApi(
  loaded: LoadedConfig,
  options: { reportsDir?: string; token?: string } = {},
): Promise<TestApi> {
  const api = await startApiServer(loaded, {
    host: '127.0.0.1',
    port: 0,
    ...(options.reportsDir ? { reportsDir: options.reportsDir } : {}),
  });
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const write = method !== 'GET';
    const res = await fetch(new URL(path, api.url), {
      method,
      headers: {
        ...(write ? { 'content-type': 'application/json', 'x-alphabet-request': '1' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  return Object.assign(api, { call });
}
