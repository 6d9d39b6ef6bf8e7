import { describe, expect, it } from '@jest/globals';
import { parseCliArgs } from './cli-args.js';

describe('parseCliArgs', () => {
  it('reads create-user with every option', () => {
    expect(
      parseCliArgs(['create-user', '--email', 'ada@example.com', '--name', 'Ada', '--admin', '--password-stdin']),
    ).toEqual({
      command: { name: 'create-user', email: 'ada@example.com', displayName: 'Ada', admin: true, passwordStdin: true },
    });
  });

  it('reads create-user with only the email (--email=value form too)', () => {
    expect(parseCliArgs(['create-user', '--email=ada@example.com'])).toEqual({
      command: { name: 'create-user', email: 'ada@example.com', admin: false, passwordStdin: false },
    });
  });

  it.each(['promote', 'demote', 'revoke-logins'])('reads %s <email>', (name) => {
    expect(parseCliArgs([name, 'ada@example.com'])).toEqual({ command: { name, email: 'ada@example.com' } });
  });

  it.each([
    [[], 'missing command'],
    [['frobnicate'], 'unknown command: frobnicate'],
    [['create-user'], 'create-user needs --email <email>'],
    [['create-user', '--email'], /--email/],
    [['create-user', '--email', 'a@b.c', 'extra'], 'unexpected argument: extra'],
    [['create-user', '--email', 'a@b.c', '--password', 'secret'], /--password/],
    [['promote'], 'promote needs <email>'],
    [['demote', 'a@b.c', 'd@e.f'], 'unexpected argument: d@e.f'],
    [['revoke-logins', '--email', 'a@b.c'], 'revoke-logins does not take --email'],
    [['promote', 'a@b.c', '--admin'], 'promote does not take --admin'],
  ])('asks for the usage on %j', (argv, error) => {
    const parsed = parseCliArgs(argv);
    expect(parsed).toMatchObject({ usage: true });
    expect('usage' in parsed && parsed.error).toEqual(typeof error === 'string' ? error : expect.stringMatching(error));
  });

  it.each([[['--help']], [['-h']], [['promote', 'a@b.c', '--help']]])('%j asks for the usage with no error', (argv) => {
    expect(parseCliArgs(argv)).toEqual({ usage: true });
  });
});
