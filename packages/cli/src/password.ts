import { CliError, EXIT } from './errors.js';

/**
 * The directory password for `login --ldap`, never from the command line (it would sit in the
 * shell history and in `ps`): `--password-stdin` (the whole of stdin, one trailing newline
 * dropped, as `docker login` reads it), else `GUICHET_PASSWORD`, else a prompt on the terminal
 * with echo off.
 */
export async function readPassword(o: { stdin?: boolean }, env: NodeJS.ProcessEnv): Promise<string> {
  if (o.stdin) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  if (env.GUICHET_PASSWORD) return env.GUICHET_PASSWORD;
  if (!process.stdin.isTTY)
    throw new CliError(
      EXIT.USAGE,
      'no terminal to ask the password on: use --password-stdin or GUICHET_PASSWORD',
    );
  return prompt('Directory password: ');
}

function prompt(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  let typed = '';
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      fn();
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(typed));
        // Ctrl-C and Ctrl-D end the prompt without a password.
        if (ch === '\u0003' || ch === '\u0004')
          return done(() => reject(new CliError(EXIT.USAGE, 'no password given')));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
