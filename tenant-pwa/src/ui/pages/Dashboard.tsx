/**
 * Dashboard. Uses GET /api/v1/dashboard when the backend has it; otherwise (404) KPIs are computed
 * from the invoices list (this month's issued total, amount due, drafts), exactly, in decimal strings.
 */
import { useEffect, useState } from 'preact/hooks';
import { NetworkError } from '../../api/http';
import { documents, fetchDashboard, type Dashboard, type DocumentRow } from '../../api/resources';
import { chartGeometry, monthLabel } from '../chart';
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
  const [remote, setRemote] = useState<Dashboard | null>(null);
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
      {remote && <RemoteDashboard data={remote} />}
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

/** KPIs and the 12-month chart from GET /api/v1/dashboard. */
function RemoteDashboard({ data }: { data: Dashboard }) {
  const i18n = useI18n();
  const money = (value: string) => i18n.money(value, data.currency);
  return (
    <>
      <dl class="kpis" aria-label={i18n.t('dashboard.kpis')}>
        <div class="kpi">
          <dt>{i18n.t('dashboard.salesThisMonth')}</dt>
          <dd data-kpi="sales-this-month">{money(data.sales_this_month)}</dd>
          {data.sales_change_percent !== null && (
            <dd class="kpi__change">{i18n.t('dashboard.change', { percent: i18n.decimal(data.sales_change_percent, 0, 1) })}</dd>
          )}
        </div>
        <div class="kpi">
          <dt>{i18n.t('dashboard.salesLastMonth')}</dt>
          <dd data-kpi="sales-last-month">{money(data.sales_last_month)}</dd>
        </div>
        <div class="kpi">
          <dt>{i18n.t('dashboard.amountDue')}</dt>
          <dd data-kpi="receivables">{money(data.receivables_outstanding)}</dd>
        </div>
        <div class="kpi">
          <dt>{i18n.t('dashboard.overdue')}</dt>
          <dd data-kpi="overdue">
            {money(data.receivables_overdue)} ({data.overdue_invoices})
          </dd>
        </div>
      </dl>
      <SalesChart data={data} />
      {data.top_customers.length > 0 && (
        <section class="card" aria-labelledby="top-customers">
          <h2 id="top-customers">{i18n.t('dashboard.topCustomers')}</h2>
          <ol>
            {data.top_customers.map((customer) => (
              <li key={customer.customer_id}>
                {customer.name}: {money(customer.sales)}
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}

function SalesChart({ data }: { data: Dashboard }) {
  const i18n = useI18n();
  const chart = chartGeometry(data.monthly, 600, 180);
  const labelLocale = i18n.locale === 'en' ? 'en-GB' : i18n.locale;
  return (
    <figure class="chart card">
      <figcaption>
        {i18n.t('dashboard.chart')} <span class="legend legend--sales">{i18n.t('dashboard.sales')}</span>{' '}
        <span class="legend legend--purchases">{i18n.t('dashboard.purchases')}</span>
      </figcaption>
      <svg viewBox={`0 0 ${chart.width} ${chart.height + 20}`} role="img" aria-label={i18n.t('dashboard.chart')} preserveAspectRatio="none">
        {chart.months.map((m, index) => (
          <g key={m.month}>
            <rect class="bar bar--sales" {...m.sales}>
              <title>{`${m.month} · ${i18n.t('dashboard.sales')}: ${i18n.money(data.monthly[index].sales, data.currency)}`}</title>
            </rect>
            <rect class="bar bar--purchases" {...m.purchases}>
              <title>{`${m.month} · ${i18n.t('dashboard.purchases')}: ${i18n.money(data.monthly[index].purchases, data.currency)}`}</title>
            </rect>
            <text x={m.labelX} y={chart.height + 15} text-anchor="middle" class="chart__label">
              {monthLabel(m.month, labelLocale)}
            </text>
          </g>
        ))}
      </svg>
      <table class="visually-hidden">
        <caption>{i18n.t('dashboard.chart')}</caption>
        <tbody>
          {data.monthly.map((m) => (
            <tr key={m.month}>
              <th scope="row">{m.month}</th>
              <td>{i18n.money(m.sales, data.currency)}</td>
              <td>{i18n.money(m.purchases, data.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
