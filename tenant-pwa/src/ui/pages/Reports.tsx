/** Reports: trial balance and VAT summary for a date range, with CSV and XLSX downloads of the same data. */
import { useEffect, useState } from 'preact/hooks';
import { reports, type ReportName, type TrialBalance, type VatSummary } from '../../api/resources';
import { FormAlert, toFormProblem, type FormProblem } from '../forms';
import { useI18n } from '../i18n-context';
import { can, DateField, PageHeader } from '../kit';
import { useUser } from '../user-context';

function firstOfYear(): string {
  return `${new Date().getFullYear()}-01-01`;
}

export function ReportsPage() {
  const i18n = useI18n();
  const user = useUser();
  const [report, setReport] = useState<ReportName>('trial-balance');
  const [from, setFrom] = useState(firstOfYear);
  const [to, setTo] = useState(() => new Date().toISOString().slice(0, 10));
  const [trial, setTrial] = useState<TrialBalance | null>(null);
  const [vat, setVat] = useState<VatSummary | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);

  useEffect(() => {
    let cancelled = false;
    const query = { date_from: from || undefined, date_to: to || undefined };
    setProblem(null);
    const load = report === 'trial-balance' ? reports.trialBalance(query).then((r) => !cancelled && setTrial(r)) : reports.vatSummary(query).then((r) => !cancelled && setVat(r));
    load.catch((error) => !cancelled && setProblem(toFormProblem(error, i18n)));
    return () => {
      cancelled = true;
    };
  }, [report, from, to]);

  if (!can(user, 'reports:read')) return <p role="alert">{i18n.t('reports.forbidden')}</p>;
  const query = { date_from: from, date_to: to };
  const currency = (report === 'trial-balance' ? trial?.currency : vat?.currency) ?? user.tenant.currency;
  const money = (value: string | undefined) => (value ? i18n.money(value, currency) : '—');
  return (
    <section class="page">
      <PageHeader title={i18n.t('nav.reports')} />
      <nav class="tabs" aria-label={i18n.t('nav.reports')}>
        {(['trial-balance', 'vat-summary'] as const).map((name) => (
          <button type="button" key={name} class={`tab${name === report ? ' tab--active' : ''}`} aria-pressed={name === report ? 'true' : 'false'} onClick={() => setReport(name)}>
            {i18n.t(`reports.${name}` as 'reports.trial-balance')}
          </button>
        ))}
      </nav>
      <div class="toolbar">
        <DateField id="report-from" label={i18n.t('doc.from')} value={from} onValue={setFrom} errors={problem?.fields.date_from} />
        <DateField id="report-to" label={i18n.t('doc.to')} value={to} onValue={setTo} errors={problem?.fields.date_to} />
        <a class="button" href={reports.downloadUrl(report, 'csv', query)} download>
          {i18n.t('reports.csv')}
        </a>
        <a class="button" href={reports.downloadUrl(report, 'xlsx', query)} download>
          {i18n.t('reports.xlsx')}
        </a>
      </div>
      <FormAlert problem={problem} />
      {report === 'trial-balance' && trial && (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{i18n.t('reports.account')}</th>
                <th scope="col">{i18n.t('reports.accountName')}</th>
                <th scope="col" class="num">{i18n.t('reports.debit')}</th>
                <th scope="col" class="num">{i18n.t('reports.credit')}</th>
                <th scope="col" class="num">{i18n.t('reports.balance')}</th>
              </tr>
            </thead>
            <tbody>
              {trial.accounts.map((account) => (
                <tr key={account.code}>
                  <td>{account.code}</td>
                  <td>{account.name}</td>
                  <td class="num">{money(account.debit)}</td>
                  <td class="num">{money(account.credit)}</td>
                  <td class="num">{money(account.balance)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>
                  {i18n.t('doc.total')} {trial.is_balanced ? '' : `(${i18n.t('reports.unbalanced')})`}
                </th>
                <td class="num" data-total="debit">
                  {money(trial.total_debit)}
                </td>
                <td class="num" data-total="credit">
                  {money(trial.total_credit)}
                </td>
                <td />
              </tr>
            </tfoot>
          </table>
          {trial.accounts.length === 0 && <p class="empty">{i18n.t('list.empty')}</p>}
        </div>
      )}
      {report === 'vat-summary' && vat && (
        <>
          <dl class="facts">
            <dt>{i18n.t('reports.form')}</dt>
            <dd>{vat.form}</dd>
            <dt>{i18n.t('reports.outputTax')}</dt>
            <dd>{money(vat.totals.output_tax)}</dd>
            <dt>{i18n.t('reports.inputTax')}</dt>
            <dd>{money(vat.totals.input_tax)}</dd>
            <dt>{i18n.t('reports.result')}</dt>
            <dd data-total="result">{money(vat.totals.result)}</dd>
          </dl>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{i18n.t('reports.box')}</th>
                  <th scope="col" class="num">{i18n.t('pur.amount')}</th>
                </tr>
              </thead>
              <tbody>
                {vat.figures.map((figure) => (
                  <tr key={figure.label}>
                    <td>{figure.label}</td>
                    <td class="num">{money(figure.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
