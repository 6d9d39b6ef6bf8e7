import { STATUS_CODES } from 'node:http';

/** Nest's standard error shape: `{statusCode, message, error}`. */
export interface ErrorBody {
  statusCode: number;
  message: string | string[];
  error: string;
  requestId?: string;
}

export function errorBody(statusCode: number, message: string | string[], requestId?: string): ErrorBody {
  return { statusCode, message, error: STATUS_CODES[statusCode] ?? 'Error', ...(requestId ? { requestId } : {}) };
}
