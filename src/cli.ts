import { createInterface } from 'node:readline';
import { parseCliArgs, USAGE, type CliCommand } from './cli/cli-args.js';
import { CliError } from './cli/cli-error.js';
import { ConfigError } from './config/env.schema.js';
import { DataDirLockedError } from './database/data-dir-lock.js';

/** The first line of standard input, without its line ending; null when there is none. */
async function firstLineOfStdin(): Promise<string | null> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  try {
    for await (const line of lines) return line;
    return null;
  } finally {
    lines.close();
  }
}

async function run(command: CliCommand): Promise<string> {
  // Loaded only once the arguments are right: the usage answers without booting Nest.
  await import('reflect-metadata');
  const [
    { NestFactory },
    { pino },
    { CliModule },
    { OperatorCommands },
    { PinoLoggerService, REDACT_PATHS },
    { ConfigService },
  ] = await Promise.all([
    import('@nestjs/core'),
    import('pino'),
    import('./cli/cli.module.js'),
    import('./cli/operator-commands.service.js'),
    import('./common/logging/logger.js'),
    import('./config/config.module.js'),
  ]);
  let password: string | null = null;
  if (command.name === 'create-user' && command.passwordStdin) {
    password = await firstLineOfStdin();
    if (password === null) throw new CliError('--password-stdin: no password on standard input');
  }
  const app = await NestFactory.createApplicationContext(await CliModule.forRoot(), {
    logger: false,
    abortOnError: false,
  });
  try {
    // Warnings and errors only, on stderr: standard output carries the command's one result line.
    const logLevel = app.get(ConfigService).get<string>('app.logLevel') ?? 'warn';
    const level = ['fatal', 'error', 'silent'].includes(logLevel) ? logLevel : 'warn';
    app.useLogger(
      new PinoLoggerService(
        pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, pino.destination(2)),
      ),
    );
    const commands = app.get(OperatorCommands);
    switch (command.name) {
      case 'create-user':
        return await commands.createUser({ ...command, password });
      case 'promote':
        return await commands.promote(command.email);
      case 'demote':
        return await commands.demote(command.email);
      case 'revoke-logins':
        return await commands.revokeLogins(command.email);
    }
  } finally {
    // The normal shutdown: queued audit events written, revocation broadcasts sent, database closed.
    await app.close();
  }
}

async function main(): Promise<number> {
  const parsed = parseCliArgs(process.argv.slice(2));
  if ('usage' in parsed) {
    process.stderr.write(`${parsed.error ? `${parsed.error}\n\n` : ''}${USAGE}\n`);
    return 2;
  }
  try {
    process.stdout.write(`${await run(parsed.command)}\n`);
    return 0;
  } catch (error) {
    // Known problems get one line naming the cause; anything else its stack.
    if (error instanceof CliError || error instanceof ConfigError || error instanceof DataDirLockedError) {
      process.stderr.write(`${error.message}\n`);
      return error instanceof CliError ? error.exitCode : 1;
    }
    process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
    return 1;
  }
}

// Everything is closed by then; exiting explicitly keeps a stray handle from holding the shell.
process.exit(await main());
