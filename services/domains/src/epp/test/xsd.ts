import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Validates EPP XML against the schemas in ../xsd with xmllint (libxml2-utils): the real
 * validator, not a reading of our own. Resolves with xmllint's complaints (empty: valid).
 */
export const ALL_XSD = fileURLToPath(new URL('../xsd/all.xsd', import.meta.url));

export function xsdErrors(xml: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'xmllint',
      ['--noout', '--nonet', '--schema', ALL_XSD, '-'],
      (err, _out, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        const lines = stderr.split('\n').filter((l) => l && !l.endsWith(' validates'));
        resolve(err ? lines : []);
      },
    );
    child.stdin?.end(xml);
  });
}
