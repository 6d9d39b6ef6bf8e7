import { parseArgs } from 'node:util';

/** What the operator asked for, once the arguments are known to be well formed. */
export type CliCommand =
  | { name: 'create-user'; email: string; displayName?: string; admin: boolean; passwordStdin: boolean }
  | { name: 'promote' | 'demote' | 'revoke-logins'; email: string };

/** A command, or a reason to print the usage (none for --help). */
export type ParsedArgs = { command: CliCommand } | { usage: true; error?: string };

export const USAGE = `Usage: npm run cli -- <command>   (production: node dist/cli.js <command>)

Commands:
  create-user --email <email> [--name <name>] [--admin] [--password-stdin]
                          create an account; the password is the first line of standard input
                          with --password-stdin, otherwise a random one is printed once
  promote <email>         give the account the admin role
  demote <email>          take the admin role away
  revoke-logins <email>   end every login of the account (cookie sessions and tokens)

Runs on the configured database (DATABASE_URL, or the embedded database in DATA_DIR,
which must not be in use by a running service).`;

// No --password: a password on the command line shows in `ps` and the shell's history.
const OPTIONS = {
  email: { type: 'string' },
  name: { type: 'string' },
  admin: { type: 'boolean' },
  'password-stdin': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ONE_EMAIL_COMMANDS = ['promote', 'demote', 'revoke-logins'] as const;

/**
 * Reads the command line (without node and the script). Node's own `util.parseArgs` is enough
 * for four commands: a dependency such as commander was not needed.
 */
export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true; args: string[] }>
  >;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return { usage: true, error: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { usage: true };
  const [name, ...rest] = positionals;
  if (name === undefined) return { usage: true, error: 'missing command' };

  if (name === 'create-user') {
    if (rest.length > 0) return { usage: true, error: `unexpected argument: ${rest[0]}` };
    if (values.email === undefined) return { usage: true, error: 'create-user needs --email <email>' };
    return {
      command: {
        name,
        email: values.email,
        ...(values.name !== undefined ? { displayName: values.name } : {}),
        admin: values.admin ?? false,
        passwordStdin: values['password-stdin'] ?? false,
      },
    };
  }

  const oneEmail = ONE_EMAIL_COMMANDS.find((command) => command === name);
  if (!oneEmail) return { usage: true, error: `unknown command: ${name}` };
  const stray = (['email', 'name', 'admin', 'password-stdin'] as const).find((option) => values[option] !== undefined);
  if (stray) return { usage: true, error: `${oneEmail} does not take --${stray}` };
  const [email, ...extra] = rest;
  if (email === undefined) return { usage: true, error: `${oneEmail} needs <email>` };
  if (extra.length > 0) return { usage: true, error: `unexpected argument: ${extra[0]}` };
  return { command: { name: oneEmail, email } };
}
