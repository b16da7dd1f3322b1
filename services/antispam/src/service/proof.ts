import { and, type DbOrTx, eq } from '@guichet/db';
import { resources } from '@guichet/workflow';

/**
 * Which of `domains` Guichet already records for the institution through the domains line: a
 * registered (`active`) domain resource of that institution, the domain itself or a parent of
 * it (`lab.univ.fr` under `univ.fr`). Read through the shared resource view
 * (`workflow_resources`), never the domains line's own tables (services/README.md). Such a
 * domain needs no TXT proof; a resource of another institution, or one not registered
 * (requested, in redemption, deleted), proves nothing.
 */
export async function recordedDomains(
  db: DbOrTx,
  institutionId: string,
  domains: readonly string[],
): Promise<Map<string, string>> {
  const rows = await db
    .select({ name: resources.name })
    .from(resources)
    .where(
      and(
        eq(resources.line, 'domains'),
        eq(resources.type, 'domain'),
        eq(resources.institutionId, institutionId),
        eq(resources.state, 'active'),
      ),
    );
  const names = rows.map((r) => r.name.toLowerCase().replace(/\.$/, ''));
  const out = new Map<string, string>();
  for (const d of domains) {
    const want = d.toLowerCase();
    const by = names.find((n) => want === n || want.endsWith(`.${n}`));
    if (by) out.set(d, by);
  }
  return out;
}
