import { describe, expect, it, jest } from '@jest/globals';
import { BadRequestException, type ArgumentsHost } from '@nestjs/common';
import { AllExceptionsFilter } from './all-exceptions.filter.js';

function host() {
  const res = { headersSent: false, statusCode: 0, body: undefined as unknown };
  const response = {
    ...res,
    status: jest.fn((code: number) => {
      res.statusCode = code;
      return response;
    }),
    json: jest.fn((body: unknown) => {
      res.body = body;
    }),
  };
  const argumentsHost = {
    switchToHttp: () => ({ getRequest: () => ({ id: 'req-1' }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  return { argumentsHost, res };
}

describe('AllExceptionsFilter', () => {
  const filter = new AllExceptionsFilter();
  // The filter logs 5xx; keep the test output clean.
  (filter as unknown as { logger: { error: () => void } }).logger = { error: () => undefined };

  it('passes HTTP exceptions through in the standard shape', () => {
    const { argumentsHost, res } = host();
    filter.catch(new BadRequestException(['email must be an email address']), argumentsHost);
    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, message: ['email must be an email address'], error: 'Bad Request' });
  });

  it('answers anything else with an opaque 500 carrying the request id', () => {
    const { argumentsHost, res } = host();
    filter.catch(new Error('relation "users" does not exist at SELECT * FROM users'), argumentsHost);
    expect(res.statusCode).toBe(500);
    expect(res.body).toEqual({
      statusCode: 500,
      message: 'Internal server error',
      error: 'Internal Server Error',
      requestId: 'req-1',
    });
  });

  it('answers 503 when the database cannot be reached', () => {
    const { argumentsHost, res } = host();
    filter.catch(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      argumentsHost,
    );
    expect(res.statusCode).toBe(503);
    expect(JSON.stringify(res.body)).not.toContain('5432');
  });

  it('answers 503 when Redis cannot be reached, and 500 for a Redis error reply', () => {
    const away = host();
    filter.catch(new Error("Stream isn't writeable and enableOfflineQueue options is false"), away.argumentsHost);
    expect(away.res.statusCode).toBe(503);
    const reply = host();
    filter.catch(
      Object.assign(new Error('ERR wrong number of arguments'), { name: 'ReplyError' }),
      reply.argumentsHost,
    );
    expect(reply.res.statusCode).toBe(500);
  });
});
