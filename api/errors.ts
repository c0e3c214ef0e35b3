import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ManualInputError } from '../shared/manual';
import { MathError } from '../shared/math';
import { PaperRequestError } from '../shared/paper';
import { StrategyParameterError } from '../shared/strategies';

/**
 * The API's one error shape: `{ error: { field, message } }`, the message naming the field and value.
 * 400 bad input or refused by a workflow validator, 401 no/bad token, 403 a write without the CSRF
 * header, 404 unknown id, 409 state conflict.
 */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 503,
    readonly field: string | null,
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: { field: string | null; message: string };
}

/** "odds: 150 is outside …" names its field before the colon. */
function leadingField(message: string): string | null {
  return /^([A-Za-z_][\w.[\]]*): /.exec(message)?.[1] ?? null;
}

/** Domain refusals (the same rules the CLI applies) as API errors; anything else is not ours to map. */
export function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err instanceof ManualInputError)
    return new ApiError(err.kind === 'conflict' ? 409 : 400, err.field, err.message);
  if (err instanceof StrategyParameterError)
    return new ApiError(400, err.fields[0] ?? leadingField(err.message), err.message);
  if (err instanceof PaperRequestError) {
    const message = err.message.replace('paper-trading request refused: ', '');
    return new ApiError(400, leadingField(message), message);
  }
  if (err instanceof MathError) return new ApiError(400, err.field, `${err.field}: ${err.message}`);
  if (err instanceof WorkflowUpdateFailedError) {
    // The workflow's validator refused it: its message names the field ("odds: 150 is outside …").
    const message = err.cause?.message ?? err.message;
    return new ApiError(400, leadingField(message), message);
  }
  if (err instanceof WorkflowNotFoundError)
    return new ApiError(409, null, `no running workflow: ${err.message}`);
  return null;
}

export const notFound = (field: string, message: string) => new ApiError(404, field, message);
