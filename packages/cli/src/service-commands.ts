import type { Command } from 'commander';
import { eduroamSiteInput } from './action-rows.js';
import { collect, integer, pair } from './args.js';
import type { Document } from './client.js';
import {
  ANTISPAM,
  CIRCUITS,
  DECLARE_EDUROAM_SITE,
  DOMAINS,
  EDUROAM_SITES,
  REQUEST_ANTISPAM_ONBOARDING,
  REQUEST_DOMAIN,
} from './documents.js';
import { CliError, EXIT } from './errors.js';
import type { CommandKit } from './more-commands.js';
import { failIfError } from './output.js';
import { readPassword } from './password.js';

/**
 * The lines that landed after the first commands: `domain list|request`, `eduroam site
 * list|declare`, `antispam list|onboard` (the directory password from stdin, never an
 * argument), `circuit list`. Filings go under an Idempotency-Key, as every filing command.
 */
type Row = Record<string, unknown>;
interface Typed {
  __typename: string;
  code?: string;
  message?: string;
  request?: Row;
  site?: Row;
}
const REQUEST_COLUMNS = ['id', 'kind', 'status', 'currentStep'];

/** An institution's part of the graph, or exit 1 when it is not visible. */
async function ofInstitution(k: CommandKit, document: Document, id: string): Promise<Row> {
  const { institution } = await (await k.client()).request<{ institution: Row | null }>(document, { id });
  if (!institution) throw new CliError(EXIT.FAILED, `institution ${id} not found`, 'NOT_FOUND');
  return institution;
}

const nameservers = (ns: string[]) =>
  ns.map((n) => {
    const [name, addrs] = n.includes('=') ? pair(n, '--ns') : [n, ''];
    const addresses = addrs.split(',').filter(Boolean);
    return { name, ...(addresses.length ? { addresses } : {}) };
  });

export function serviceCommands(program: Command, k: CommandKit, env: NodeJS.ProcessEnv): void {
  const domain = program.command('domain').description('.fr domains held for an institution');
  k.sub(domain, 'list', 'An institution’s domains', 'guichet domain list --institution ID --json')
    .requiredOption('--institution <id>', 'the institution')
    .action(async (o: { institution: string }) => {
      const domains = (await ofInstitution(k, DOMAINS, o.institution)).domains as Row[];
      k.show(domains, domains, ['id', 'name', 'state', 'expiresAt', 'resourceState']);
    });
  k.sub(
    domain,
    'request',
    'Ask for a domain (registered at AFNIC once the NOC checks it)',
    'guichet domain request --institution ID --name labo-exemple.fr --admin-contact CID --tech-contact CID --ns ns1.example.fr --ns ns2.example.fr',
  )
    .requiredOption('--institution <id>', 'the institution')
    .requiredOption('--name <domain>', 'the domain')
    .requiredOption('--admin-contact <id>', 'the administrative contact (a contact id)')
    .option('--tech-contact <id>', 'a technical contact (repeatable)', collect, [])
    .option(
      '--ns <name[=addr,…]>',
      'a name server, glue addresses if in the domain (repeatable)',
      collect,
      [],
    )
    .option('--years <n>', 'registration period in years')
    .option('--draft', 'keep it as a draft instead of submitting it')
    .option('--key <key>', 'idempotency key (default: a new one per command)')
    .action(
      async (o: {
        institution: string;
        name: string;
        adminContact: string;
        techContact: string[];
        ns: string[];
        years?: string;
        draft?: boolean;
        key?: string;
      }) => {
        const input = {
          institutionId: o.institution,
          name: o.name,
          adminContactId: o.adminContact,
          techContactIds: o.techContact,
          nameservers: nameservers(o.ns),
          ...(o.years ? { periodYears: integer(o.years, '--years') } : {}),
          ...(o.draft ? { submit: false } : {}),
        };
        const { r } = await k.keyed<{ r: Typed }>(REQUEST_DOMAIN, { input }, o.key);
        failIfError(r);
        k.show(r.request, [r.request ?? {}], REQUEST_COLUMNS);
      },
    );

  const eduroam = program.command('eduroam').description('eduroam: the institution’s sites');
  const site = eduroam.command('site').description('Where the institution broadcasts eduroam');
  const siteRows = (sites: Row[]) =>
    sites.map((s) => ({
      ...s,
      name: (s.names as { data: string }[])[0]?.data,
      city: (s.city as { data: string }[])[0]?.data,
    }));
  k.sub(site, 'list', 'An institution’s eduroam sites', 'guichet eduroam site list --institution ID')
    .requiredOption('--institution <id>', 'the institution')
    .action(async (o: { institution: string }) => {
      const sites = ((await ofInstitution(k, EDUROAM_SITES, o.institution)).eduroam as Row).sites as Row[];
      k.show(sites, siteRows(sites), ['id', 'locationId', 'name', 'city', 'accessPoints']);
    });
  k.sub(
    site,
    'declare',
    'Declare a site (many: `guichet apply` with kind eduroam-site rows)',
    'guichet eduroam site declare --institution ID --name "Campus Nord" --street "1 rue A" --city Lyon --lon 4.83 --lat 45.76 --access-points 12',
  )
    .requiredOption('--institution <id>', 'the institution')
    .requiredOption('--name <text>', 'its name (English)')
    .requiredOption('--street <text>', 'street address')
    .requiredOption('--city <text>', 'city')
    .requiredOption('--lon <deg>', 'longitude, degrees east')
    .requiredOption('--lat <deg>', 'latitude, degrees north')
    .requiredOption('--access-points <n>', 'number of access points')
    .option('--encryption <list>', 'WPA2_AES and/or WPA3_AES (default WPA2_AES)', collect, [])
    .option('--tag <tag>', 'a tag (IPV6, NAT…; repeatable)', collect, [])
    .action(async (o: Row & { encryption: string[]; tag: string[] }) => {
      const { institutionId, site: input } = eduroamSiteInput({
        ...o,
        accessPoints: o.accessPoints,
        ...(o.encryption.length ? { encryption: o.encryption } : {}),
        tags: o.tag,
      });
      const { r } = await k.keyed<{ r: Typed }>(DECLARE_EDUROAM_SITE, { institutionId, input });
      failIfError(r);
      k.show(r.site, siteRows([r.site ?? {}]), ['id', 'locationId', 'name', 'city', 'accessPoints']);
    });

  const antispam = program.command('antispam').description('The antispam gateway for an institution’s mail');
  k.sub(antispam, 'list', 'An institution’s filtered domains', 'guichet antispam list --institution ID')
    .requiredOption('--institution <id>', 'the institution')
    .action(async (o: { institution: string }) => {
      const a = (await ofInstitution(k, ANTISPAM, o.institution)).antispam as Row | null;
      const domains = (a?.domains ?? []) as Row[];
      k.show(a, domains, ['id', 'domain', 'state', 'mxCheckedAt']);
    });
  k.sub(
    antispam,
    'onboard',
    'Ask for filtering: the domains, where mail goes next, and the directory the gateway checks recipients in (its bind password read from stdin, GUICHET_PASSWORD or a prompt — never an argument)',
    'guichet antispam onboard --institution ID --domain labo.example.fr --next-hop mx.labo.example.fr:25 --known-address a@labo.example.fr --unknown-address nobody@labo.example.fr --ldap-url ldaps://ldap.labo.example.fr --bind-dn cn=gw,dc=labo --base ou=people,dc=labo --filter "(mail=%s)" --password-stdin < pw',
  )
    .requiredOption('--institution <id>', 'the institution')
    .option('--domain <domain>', 'a domain to filter (repeatable)', collect, [])
    .option('--next-hop <host[:port]>', 'where filtered mail goes (repeatable)', collect, [])
    .requiredOption('--known-address <addr>', 'an address the directory knows (checked during onboarding)')
    .requiredOption('--unknown-address <addr>', 'an address it does not know (must be refused)')
    .requiredOption('--ldap-url <url>', 'the directory (ldaps://, or ldap:// with --start-tls)')
    .requiredOption('--bind-dn <dn>', 'the account the gateway binds as')
    .requiredOption('--base <dn>', 'the search base')
    .requiredOption('--filter <filter>', 'the search filter, %s standing for the address')
    .option('--result-attribute <name>', 'the attribute returned')
    .option('--start-tls', 'STARTTLS on ldap://')
    .option('--password-stdin', 'read the bind password from stdin (else GUICHET_PASSWORD, else a prompt)')
    .option('--draft', 'keep it as a draft instead of submitting it')
    .option('--key <key>', 'idempotency key (default: a new one per command)')
    .action(async (o: Record<string, string | string[] | boolean | undefined>) => {
      const list = (v: unknown) => v as string[];
      if (!list(o.domain).length || !list(o.nextHop).length)
        throw new CliError(EXIT.USAGE, 'give at least one --domain and one --next-hop');
      const bindPassword = await readPassword({ stdin: Boolean(o.passwordStdin) }, env);
      const input = {
        institutionId: o.institution,
        domains: list(o.domain),
        nextHops: list(o.nextHop).map((h) => {
          const [host, port] = h.split(/:(?=\d+$)/);
          return { host, ...(port ? { port: integer(port, '--next-hop port') } : {}) };
        }),
        knownAddress: o.knownAddress,
        unknownAddress: o.unknownAddress,
        directory: {
          url: o.ldapUrl,
          bindDn: o.bindDn,
          bindPassword,
          base: o.base,
          filter: o.filter,
          ...(o.resultAttribute ? { resultAttribute: o.resultAttribute } : {}),
          ...(o.startTls ? { startTls: true } : {}),
        },
        ...(o.draft ? { submit: false } : {}),
      };
      const { r } = await k.keyed<{ r: Typed }>(
        REQUEST_ANTISPAM_ONBOARDING,
        { input },
        typeof o.key === 'string' ? o.key : undefined,
      );
      failIfError(r);
      k.show(r.request, [r.request ?? {}], REQUEST_COLUMNS);
    });

  const circuit = program.command('circuit').description('Circuits (point-to-point and VPN)');
  k.sub(circuit, 'list', 'An institution’s circuits, newest first', 'guichet circuit list --institution ID')
    .requiredOption('--institution <id>', 'the institution')
    .action(async (o: { institution: string }) => {
      const circuits = (await ofInstitution(k, CIRCUITS, o.institution)).circuits as Row[];
      k.show(circuits, circuits, ['id', 'reference', 'name', 'service', 'state', 'bandwidthMbps']);
    });
}
