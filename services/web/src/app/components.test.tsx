// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FirstAgreement } from './desk/first-agreement';
import { type Lang, LangContext } from './i18n';
import { Clock } from './noc/clock';
import { ChangeLog } from './record';

/**
 * Components on their own, in a DOM (happy-dom), as a person reads them: the words in both
 * languages, what a clock says past 80 % and past due, the change log's table, and the first
 * agreement's form refusing to file without a security contact (nothing is sent: the check is
 * the page's, before the API's).
 */

const inLang = (lang: Lang, node: React.ReactNode) =>
  render(<LangContext.Provider value={lang}>{node}</LangContext.Provider>);

afterEach(cleanup);

describe('Clock', () => {
  const due = '2026-12-04T18:00:00.000Z';
  it.each([
    [0.5, false, 'ok', null],
    [0.85, false, 'warning', 'due soon'],
    [1.2, true, 'breach', 'breached'],
  ] as const)('at %s of its target (breached: %s) is %s', (ratio, breached, level, words) => {
    const { container } = inLang('en', <Clock due={due} ratio={ratio} breached={breached} paused={false} />);
    const clock = container.querySelector('.clock')!;
    expect(clock.getAttribute('data-level')).toBe(level);
    if (words) expect(clock.textContent).toContain(`(${words})`);
    else expect(clock.textContent).not.toContain('(');
  });
  it('says it in French too', () => {
    const { container } = inLang('fr', <Clock due={due} ratio={1.5} breached paused />);
    expect(container.textContent).toContain('(dépassé)');
    expect(container.textContent).toContain('⏸');
  });
});

describe('ChangeLog', () => {
  const rows = [
    {
      id: '2',
      at: '2026-12-04T18:01:00.000Z',
      actor: 'staff:demo',
      action: 'workflow.approveRequest',
      objectType: 'Request',
      objectId: '0b9f2c1e-1111-4222-8333-444455556666',
    },
    {
      id: '1',
      at: '2026-12-04T18:00:00.000Z',
      actor: 'contact:42',
      action: 'workflow.fileRequest',
      objectType: 'Request',
      objectId: '0b9f2c1e-1111-4222-8333-444455556666',
    },
  ];
  it('is a table under its heading, a row per change in the order given', () => {
    inLang('en', <ChangeLog rows={rows} testId="log" />);
    const section = screen.getByRole('region', { name: 'Change log' });
    const table = within(section).getByRole('table');
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['When', 'Action', 'Object', 'By']);
    const body = within(table).getAllByRole('row').slice(1);
    expect(body.map((r) => r.getAttribute('data-action'))).toEqual([
      'workflow.approveRequest',
      'workflow.fileRequest',
    ]);
    expect(body[0]!.textContent).toContain('Request 0b9f2c1e');
    expect(body[0]!.textContent).toContain('staff:demo');
  });
  it('says when there is nothing, in French', () => {
    inLang('fr', <ChangeLog rows={[]} testId="log" />);
    screen.getByRole('heading', { name: 'Historique des modifications' });
    screen.getByText('Aucune modification.');
    expect(screen.queryByRole('table')).toBeNull();
  });
});

describe('FirstAgreement', () => {
  const contacts = [
    { id: 'c1', name: 'Camille Martin', roles: ['HEAD'] },
    { id: 'c2', name: 'Sam Sécurité', roles: ['SECURITY', 'TECHNICAL'] },
  ];
  it('offers only security contacts, and without one says so beside the field', () => {
    let filed = 0;
    const realFetch = globalThis.fetch;
    globalThis.fetch = (() => {
      filed++;
      return Promise.reject(new Error('nothing should be sent'));
    }) as typeof fetch;
    try {
      inLang('fr', <FirstAgreement institutionId="i1" contacts={contacts} onDone={() => {}} />);
      const select = screen.getByLabelText('Contact sécurité de la charte') as HTMLSelectElement;
      expect([...select.options].map((o) => o.textContent)).toEqual(['— choisir —', 'Sam Sécurité']);
      fireEvent.click(screen.getByRole('button', { name: 'Préparer pour signature' }));
      expect(select.getAttribute('aria-invalid')).toBe('true');
      expect(select.getAttribute('aria-describedby')).toBe('fa-security-error');
      expect(screen.getByRole('alert').textContent).toBe('Obligatoire.');
      expect(filed).toBe(0);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
