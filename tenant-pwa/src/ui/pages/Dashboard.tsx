/**
 * Dashboard. Uses GET /api/v1/dashboard when the backend has it; otherwise (404) KPIs are computed
 * from the invoices list (this month's issued total, amount due, drafts), exactly, in decimal strings.
 */
import { useEffect, useState } from 'preact/hooks';
import { NetworkError } from '../../api/http';
import { documents, fetchDashboard, type DocumentRow } from '../../api/resources';
import { sumDecimals } from '../../i18n';
import { FormAlert, toFormProblem, type FormProblem } from '../forms';
import { useI18n } from '../i18n-context';
import { OfflineNote, PageHeader } from '../kit';
import { useOffline } from '../offline-context';
import { useUser } from '../user-context';

export interface InvoiceKpis {
  issuedCount: number;
  issuedTotal: string;
  amountDue: string;
  drafts: number;
}

/** KPIs of a month ("2026-11") from invoice rows (credit notes subtract). */
export function computeKpis(rows: Pick<DocumentRow, 'kind' | 'status' | 'issue_date' | 'total' | 'amount_due'>[], month: string): InvoiceKpis {
  const issued = rows.filter((row) => row.status !== 'draft');
  const thisMonth = issued.filter((row) => (row.issue_date ?? '').startsWith(month));
  return {
    issuedCount: thisMonth.filter((row) => row.kind === 'invoice').length,
    issuedTotal: sumDecimals(thisMonth.map((row) => row.total ?? '0')),
    amountDue: sumDecimals(issued.filter((row) => row.kind === 'invoice').map((row) => row.amount_due ?? '0')),
    drafts: rows.filter((row) => row.status === 'draft').length,
  };
}

export function DashboardPage() {
  const i18n = useI18n();
  const user = useUser();
  const { cache } = useOffline();
  const [remote, setRemote] = useState<Record<string, unknown> | null>(null);
  const [kpis, setKpis] = useState<InvoiceKpis | null>(null);
  const [offline, setOffline] = useState<string | null | undefined>(undefined);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const sales = user.tenant.modules.includes('sales');
  const month = new Date().toISOString().slice(0, 7);

  useEffect(() => {
    if (!sales) return;
    const fromInvoices = async () => {
      try {
        const page = await documents.list('invoices', { page_size: 200, sort: '-issue_date' });
        setKpis(computeKpis(page.items, month));
      } catch (error) {
        if (!(error instanceof NetworkError) || !cache) throw error;
        setKpis(computeKpis((await cache.list('invoices')) as unknown as DocumentRow[], month));
        setOffline(await cache.lastSync('invoices'));
      }
    };
    fetchDashboard()
      .then((data) => (data ? setRemote(data) : fromInvoices()))
      .catch((error) => (error instanceof NetworkError ? fromInvoices() : Promise.reject(error)))
      .catch((error) => setProblem(toFormProblem(error, i18n)));
  }, [sales, cache]);

  const currency = user.tenant.currency;
  return (
    <section class="page">
      <PageHeader title={i18n.t('nav.dashboard')} />
      <p>{i18n.t('dashboard.hello', { name: user.name, company: user.tenant.name })}</p>
      <FormAlert problem={problem} />
      {offline !== undefined && <OfflineNote syncedAt={offline} />}
      {remote && (
        <dl class="kpis">
          {Object.entries(remote)
            .filter(([, value]) => typeof value === 'string' || typeof value === 'number')
            .map(([key, value]) => (
              <div class="kpi" key={key}>
                <dt>{key.replace(/_/g, ' ')}</dt>
                <dd>{String(value)}</dd>
              </div>
            ))}
        </dl>
      )}
      {kpis && (
        <dl class="kpis" aria-label={i18n.t('dashboard.kpis')}>
          <div class="kpi">
            <dt>{i18n.t('dashboard.issuedThisMonth')}</dt>
            <dd data-kpi="issued-total">{i18n.money(kpis.issuedTotal, currency)}</dd>
          </div>
          <div class="kpi">
            <dt>{i18n.t('dashboard.invoicesThisMonth')}</dt>
            <dd data-kpi="issued-count">{kpis.issuedCount}</dd>
          </div>
          <div class="kpi">
            <dt>{i18n.t('dashboard.amountDue')}</dt>
            <dd data-kpi="amount-due">{i18n.money(kpis.amountDue, currency)}</dd>
          </div>
          <div class="kpi">
            <dt>{i18n.t('dashboard.drafts')}</dt>
            <dd data-kpi="drafts">{kpis.drafts}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
