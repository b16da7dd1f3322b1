/**
 * Rspamd per-institution settings (local.d/settings.conf) and allow/deny lists as selector
 * multimaps (local.d/multimap.conf + map files), rendered from layered settings: the platform's
 * defaults, overridden by the institution's. Pure; check.ts runs `rspamadm configtest` on it.
 * Tag mode is header by default (`add header`); subject rewriting is opt-in, because rewriting
 * Subject breaks DKIM signatures that cover it (reference §5).
 */

export interface Thresholds {
  addHeader: number;
  reject: number;
  /** Only with subject tagging (opt-in). */
  rewriteSubject?: number;
}

export interface TenantPolicy {
  /** Names the settings block and the lists (letters, digits, underscores). */
  id: string;
  domains: string[];
  thresholds?: Partial<Thresholds>;
  tagSubject?: boolean;
  /** Sender addresses or `@domain` entries. */
  allow?: string[];
  deny?: string[];
}

export const PLATFORM_DEFAULTS: Thresholds = { addHeader: 6, reject: 15, rewriteSubject: 8 };

const q = (s: string) => `"${s.replace(/["\\]/g, '')}"`;
const num = (n: number) => (Number.isFinite(n) ? String(n) : 'null');

export function settingsBlock(t: TenantPolicy, defaults: Thresholds = PLATFORM_DEFAULTS): string {
  const th = { ...defaults, ...t.thresholds };
  const actions = [
    `reject = ${num(th.reject)};`,
    `"add header" = ${num(th.addHeader)};`,
    `"rewrite subject" = ${t.tagSubject ? num(th.rewriteSubject ?? defaults.rewriteSubject ?? th.reject) : 'null'};`,
    'greylist = null;',
  ];
  return [
    `guichet_${t.id} {`,
    '  priority = high;',
    `  rcpt = [${[...t.domains]
      .sort()
      .map((d) => q(`@${d}`))
      .join(', ')}];`,
    `  apply { actions { ${actions.join(' ')} }${t.tagSubject ? ' subject = "[SPAM] %s";' : ''} }`,
    '}',
  ].join('\n');
}

/** `<recipient domain>:<sender>` lines: one rule keyed on the sender address, one on its domain. */
function listLines(
  tenants: readonly TenantPolicy[],
  which: 'allow' | 'deny',
  kind: 'addr' | 'domain',
): string[] {
  const out: string[] = [];
  for (const t of tenants)
    for (const d of t.domains)
      for (const e of t[which] ?? []) {
        const v = e.toLowerCase();
        if (kind === 'domain' && v.startsWith('@')) out.push(`${d}:${v.slice(1)}`);
        if (kind === 'addr' && !v.startsWith('@')) out.push(`${d}:${v}`);
      }
  return out.sort();
}

/**
 * Beyond any threshold an institution may set (0–1000, graphql/filtering.ts): a domain entry
 * decides through the score, so an address entry's action (passthrough) overrides it.
 */
export const DOMAIN_LIST_SCORE = 10_000;

/**
 * The lists as four selector multimaps keyed `<recipient domain>:<sender>`, so an institution's
 * entries act only on mail for its own domains. Address entries set the action (`accept`/
 * `reject`, a passthrough that ends the verdict); domain entries add ∓DOMAIN_LIST_SCORE. Two
 * passthroughs of equal rank are not ordered by rspamd (3.4: a test saw either win), so the
 * more specific entry wins by construction: `vip@x.org` allowed beats `@x.org` denied, and the
 * reverse. A message for several institutions' domains gets one verdict (rspamd scores a
 * message, not a recipient): a recipient domain's entry applies to the whole message.
 */
export function renderRspamd(tenants: readonly TenantPolicy[], mapDir: string): Record<string, string> {
  const files: Record<string, string> = {
    'local.d/settings.conf': `${tenants.map((t) => settingsBlock(t)).join('\n')}\n`,
  };
  const rules: string[] = [];
  for (const which of ['allow', 'deny'] as const)
    for (const kind of ['addr', 'domain'] as const) {
      const name = `guichet_${which}_${kind}.map`;
      files[name] = `${listLines(tenants, which, kind).join('\n')}\n`;
      // Domain entries do not match an address rule: each kind has its own selector (reference §2).
      const sender = kind === 'addr' ? "from('smtp'):addr.lower" : "from('smtp'):domain.lower";
      const verdict =
        kind === 'addr'
          ? [
              '  prefilter = true;',
              `  action = "${which === 'allow' ? 'accept' : 'reject'}";`,
              '  score = 0;',
            ]
          : [`  score = ${which === 'allow' ? -DOMAIN_LIST_SCORE : DOMAIN_LIST_SCORE};`];
      rules.push(
        [
          `GUICHET_${which.toUpperCase()}_${kind.toUpperCase()} {`,
          '  type = "selector";',
          `  selector = "rcpts:domain.lower;${sender}";`,
          '  delimiter = ":";',
          `  map = "file://${mapDir}/${name}";`,
          `  description = "Guichet: sender on the recipient institution's ${which} list (${kind === 'addr' ? 'address' : 'domain'})";`,
          ...verdict,
          '}',
        ].join('\n'),
      );
    }
  files['local.d/multimap.conf'] = `${rules.join('\n')}\n`;
  return files;
}
