/**
 * A schema lint for the generated proxy.conf and clients.conf. `freeradius -XC` accepts unknown
 * items without a word (`limit_proxy_state = yes` in a 3.2.1 client, `require_message_authenticator`
 * inside a home_server: reference/eduroam.md §4, behaviour 6), so a typo in the generator would
 * ship a proxy that silently ignores a security setting. Every section and key the generator may
 * write is listed here; anything else is an error, as are unbalanced braces and duplicate keys
 * (except the pool's repeated `home_server`).
 */

const SECTIONS: Record<string, { keys: ReadonlySet<string>; repeatable?: ReadonlySet<string>; children?: ReadonlySet<string> }> = {
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
    keys: new Set(['ipaddr', 'ipv6addr', 'proto', 'secret', 'shortname', 'nas_type', 'require_message_authenticator']),
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
    if (!s) fail(n, 'unbalanced "}"');
    const required = REQUIRED[s!.kind];
    if (required) {
      for (const [k, v] of Object.entries(required)) {
        if (s!.seen.get(k) !== v) fail(s!.line, `${s!.kind} without ${k} = ${v}`);
      }
    }
    if (s!.kind === 'realm' && !s!.seen.has('nostrip') && s!.seen.has('auth_pool')) {
      fail(s!.line, 'a proxied realm without nostrip');
    }
  };
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line === '}') return close(n);
    const open = /^([a-z_]+)(?:\s+("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.-]+))?\s*\{$/.exec(line);
    if (open) {
      const kind = open[1] as string;
      const parent = stack[stack.length - 1];
      const allowed = parent ? SECTIONS[parent.kind]?.children : TOP[file];
      if (!allowed?.has(kind) || !SECTIONS[kind]) fail(n, `unexpected section "${kind}"${parent ? ` inside ${parent.kind}` : ''}`);
      stack.push({ kind, line: n, seen: new Map() });
      return;
    }
    const cur = stack[stack.length - 1];
    if (!cur) return fail(n, `"${line}" outside any section`);
    const spec = SECTIONS[cur.kind]!;
    if (line === 'nostrip' && cur.kind === 'realm') {
      cur.seen.set('nostrip', '');
      return;
    }
    const pair = /^([a-z_]+)\s*=\s*(.+)$/.exec(line);
    if (!pair) return fail(n, `cannot read "${line}"`);
    const [, key, value] = pair as unknown as [string, string, string];
    if (spec.repeatable?.has(key)) return;
    if (!spec.keys.has(key)) fail(n, `${cur.kind} has no item "${key}" (FreeRADIUS would ignore it silently)`);
    if (cur.seen.has(key)) fail(n, `${cur.kind}: "${key}" given twice`);
    cur.seen.set(key, value.replace(/^"|"$/g, ''));
  });
  if (stack.length) fail(stack[stack.length - 1]!.line, `section ${stack[stack.length - 1]!.kind} is not closed`);
}
