/**
 * A schema lint for the generated proxy.conf and clients.conf. `freeradius -XC` accepts unknown
 * items without a word (`limit_proxy_state = yes` in a 3.2.1 client, `require_message_authenticator`
 * inside a home_server: reference/eduroam.md §4, behaviour 6), so a typo in the generator would
 * ship a proxy that silently ignores a security setting. Every section and key the generator may
 * write is listed here; anything else is an error, as are unbalanced braces and duplicate keys
 * (except the pool's repeated `home_server`).
 */

const SECTIONS: Record<
  string,
  { keys: ReadonlySet<string>; repeatable?: ReadonlySet<string>; children?: ReadonlySet<string> }
> = {
  proxy: { keys: new Set(['default_fallback']) },
  home_server: {
    keys: new Set([
      'type',
      'ipaddr',
      'ipv6addr',
      'port',
      'proto',
      'secret',
      'response_window',
      'zombie_period',
      'status_check',
      'check_interval',
      'check_timeout',
      'num_answers_to_alive',
    ]),
    children: new Set(['tls']),
  },
  tls: { keys: new Set(['ca_file', 'certificate_file', 'private_key_file']) },
  home_server_pool: { keys: new Set(['type']), repeatable: new Set(['home_server']) },
  realm: { keys: new Set(['auth_pool', 'nostrip']) },
  client: {
    keys: new Set([
      'ipaddr',
      'ipv6addr',
      'proto',
      'secret',
      'shortname',
      'nas_type',
      'require_message_authenticator',
    ]),
  },
};

const TOP: Record<string, ReadonlySet<string>> = {
  'proxy.conf': new Set(['proxy', 'home_server', 'home_server_pool', 'realm']),
  'clients.conf': new Set(['client']),
};

/** Keys whose values are fixed by policy: a generator bug that writes anything else is caught. */
const REQUIRED: Record<string, Record<string, string>> = {
  client: { require_message_authenticator: 'yes' },
  home_server: { status_check: 'status-server' },
  home_server_pool: { type: 'fail-over' },
};

export class LintError extends Error {
  override name = 'LintError';
}

export function lintConfig(file: 'proxy.conf' | 'clients.conf', text: string): void {
  const stack: { kind: string; line: number; seen: Map<string, string> }[] = [];
  const fail = (n: number, msg: string): never => {
    throw new LintError(`${file}[${n}]: ${msg}`);
  };
  const close = (n: number) => {
    const s = stack.pop();
    if (!s) return fail(n, 'unbalanced "}"');
    for (const [k, v] of Object.entries(REQUIRED[s.kind] ?? {})) {
      if (s.seen.get(k) !== v) fail(s.line, `${s.kind} without ${k} = ${v}`);
    }
    if (s.kind === 'realm' && !s.seen.has('nostrip') && s.seen.has('auth_pool')) {
      fail(s.line, 'a proxied realm without nostrip');
    }
  };
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const n = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line === '}') {
      close(n);
      continue;
    }
    const open = /^([a-z_]+)(?:\s+("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.-]+))?\s*\{$/.exec(line);
    if (open) {
      const kind = open[1] as string;
      const parent = stack[stack.length - 1];
      const allowed = parent ? SECTIONS[parent.kind]?.children : TOP[file];
      if (!allowed?.has(kind) || !SECTIONS[kind]) {
        fail(n, `unexpected section "${kind}"${parent ? ` inside ${parent.kind}` : ''}`);
      }
      stack.push({ kind, line: n, seen: new Map() });
      continue;
    }
    const cur = stack[stack.length - 1];
    if (!cur) throw new LintError(`${file}[${n}]: ` + `"${line}" outside any section`);
    const spec = SECTIONS[cur.kind];
    if (!spec) throw new LintError(`${file}[${n}]: ` + `unknown section ${cur.kind}`);
    if (line === 'nostrip' && cur.kind === 'realm') {
      cur.seen.set('nostrip', '');
      continue;
    }
    const pair = /^([a-z_]+)\s*=\s*(.+)$/.exec(line);
    if (!pair) throw new LintError(`${file}[${n}]: ` + `cannot read "${line}"`);
    const key = pair[1] as string;
    const value = pair[2] as string;
    if (spec.repeatable?.has(key)) continue;
    if (!spec.keys.has(key))
      fail(n, `${cur.kind} has no item "${key}" (FreeRADIUS would ignore it silently)`);
    if (cur.seen.has(key)) fail(n, `${cur.kind}: "${key}" given twice`);
    cur.seen.set(key, value.replace(/^"|"$/g, ''));
  }
  const open = stack[stack.length - 1];
  if (open) fail(open.line, `section ${open.kind} is not closed`);
}
