import { useEffect, useState } from 'react';
import { Badge, DatePicker, Flex, Select, Table, Tabs, Typography, type TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { formatDateTime, getCompanyTimeZone } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { projectScopes, useProjects } from '../../shared/org';
import { serverPagination, useServerSort } from '../../shared/table';
import { ConfirmationsTable, useMyConfirmations } from './Confirmations';
import { messages } from './messages';
import { CopyStatusTag, scrollX, sized } from './shared';
import { COPY_STATUSES, type Copy, type CopyStatus } from './types';

/** The ledger columns the server sorts by (?sort=), by the column's dataIndex. */
const SORTS = { serial: 'serial', status: 'status', issuedAt: 'issuedAt', expiresAt: 'expiresAt' } as const;

function useCopyColumns(): TableColumnsType<Copy> {
  const t = useMessages(messages);
  return [
    { title: t('serial'), dataIndex: 'serial', width: 150, render: (s: string) => <Link to={`/copies/${s}`}>{s}</Link> },
    { title: t('project'), dataIndex: 'project', width: 120 },
    { title: t('status'), dataIndex: 'status', width: 170, render: (s: CopyStatus) => <CopyStatusTag status={s} /> },
    { title: t('holder'), key: 'holder', width: 160, render: (_: unknown, c: Copy) => c.holder?.displayName ?? '—' },
    { title: t('copyNo'), key: 'copyNo', width: 80, render: (_: unknown, c: Copy) => `${c.copyNumber}/${c.copiesTotal}` },
    { title: t('purpose'), dataIndex: 'purpose', ellipsis: true },
    { title: t('issuedAt'), dataIndex: 'issuedAt', width: 150, render: (d: string) => formatDateTime(d) },
    { title: t('expiresAt'), dataIndex: 'expiresAt', width: 150, render: (d: string) => formatDateTime(d) },
  ];
}

/** The copies I hold or held (GET /api/v1/me/copies?all=true). */
function MyCopies() {
  const columns = useCopyColumns();
  const list = useQuery({ queryKey: ['copies', 'mine'], queryFn: () => unwrap(api.GET('/api/v1/me/copies', { params: { query: { all: 'true' } } })) });
  return <Table<Copy> rowKey="serial" size="middle" scroll={scrollX(1000, list.data?.items)} loading={list.isFetching} dataSource={list.data?.items ?? []} columns={sized(list.data?.items, columns)} pagination={{ pageSize: 20, hideOnSinglePage: true }} />;
}

/** A period picked in the ledger's filters: calendar days, either end open. */
type Period = [Dayjs | null, Dayjs | null] | null;

/**
 * The period as the API takes it: the calendar days picked (YYYY-MM-DD), which the server reads as
 * whole days in the company's time zone, both included.
 */
const periodQuery = (p: Period) => ({ ...(p?.[0] ? { from: p[0].format('YYYY-MM-DD') } : {}), ...(p?.[1] ? { to: p[1].format('YYYY-MM-DD') } : {}) });

/** The ledger (controlled_copy:read): status (overdue included), project or department, and period filters, server paging. */
function Ledger() {
  const t = useMessages(messages);
  const columns = useCopyColumns();
  const { can } = useSession();
  const projects = useProjects().data ?? [];
  const departments = [...new Set(projects.map((p) => p.departmentCode).filter((d): d is string => Boolean(d)))].sort();
  const [status, setStatus] = useState<CopyStatus | undefined>();
  // One scope at a time (the API takes project or department): 'project:X' | 'dept:Y'.
  const [scope, setScope] = useState<string | undefined>();
  const [period, setPeriod] = useState<Period>(null);
  // This month and last month in the company's zone (not the browser's).
  const today = dayjs().tz(getCompanyTimeZone());
  const presets = [
    { label: t('thisMonth'), value: [today.startOf('month'), today.endOf('month')] as [Dayjs, Dayjs] },
    { label: t('lastMonth'), value: [today.subtract(1, 'month').startOf('month'), today.subtract(1, 'month').endOf('month')] as [Dayjs, Dayjs] },
  ];
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const sort = useServerSort(SORTS, () => setPage((p) => ({ ...p, current: 1 })));
  const sortedColumns = columns.map((c) => ('dataIndex' in c && String(c.dataIndex) in SORTS ? { ...c, ...sort.sorted(String(c.dataIndex)) } : c));
  // Without a scope the ledger is company-wide ('*'): only for whoever reads it there; others see their first scope.
  const companyWide = can('controlled_copy:read', '*');
  const readableScopes = [
    ...departments.filter((d) => can('controlled_copy:read', `dept:${d}`)).map((d) => ({ value: `dept:${d}`, label: t('scopeDept', { code: d }) })),
    ...projects
      .filter((p) => can('controlled_copy:read', projectScopes(p)))
      .map((p) => ({ value: `project:${p.code}`, label: t('scopeProject', { code: p.code }) })),
  ];
  const effective = scope ?? (companyWide ? undefined : (readableScopes.find((s) => s.value.startsWith('project:')) ?? readableScopes[0])?.value);
  const [kind, code] = effective ? effective.split(':') : [];
  const effQuery = {
    ...(status ? { status } : {}),
    ...periodQuery(period),
    ...(kind === 'project' ? { project: code } : kind === 'dept' ? { department: code } : {}),
    ...sort.query,
    limit: page.pageSize,
    offset: (page.current - 1) * page.pageSize,
  };
  const list = useQuery({
    queryKey: ['copies', 'ledger', effQuery],
    enabled: companyWide || Boolean(effective),
    queryFn: () => unwrap(api.GET('/api/v1/copies', { params: { query: effQuery } })),
    placeholderData: keepPreviousData,
  });
  return (
    <Watermark>
      <Flex gap={12} wrap style={{ marginBottom: 12 }}>
        <Select
          aria-label={t('status')}
          style={{ minWidth: 200 }}
          allowClear
          placeholder={t('anyStatus')}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage((p) => ({ ...p, current: 1 }));
          }}
          options={COPY_STATUSES.map((s) => ({ value: s, label: t(`cs_${s}`) }))}
        />
        <Select
          aria-label={t('scope')}
          style={{ minWidth: 200 }}
          allowClear={companyWide}
          placeholder={t('scopeCompany')}
          value={effective}
          onChange={(v) => {
            setScope(v);
            setPage((p) => ({ ...p, current: 1 }));
          }}
          options={readableScopes}
        />
        {/* Each input is named by its placeholder (from, to): an aria-label would name both the same. */}
        <DatePicker.RangePicker
          allowEmpty={[true, true]}
          placeholder={[t('periodFrom'), t('periodTo')]}
          presets={presets}
          value={period}
          onChange={(v) => {
            setPeriod(v);
            setPage((p) => ({ ...p, current: 1 }));
          }}
        />
      </Flex>
      {(period?.[0] || period?.[1]) && (
        <Typography.Paragraph type="secondary" style={{ marginTop: -4 }}>
          {t('ledgerPeriodHint')}
        </Typography.Paragraph>
      )}
      <Table<Copy>
        rowKey="serial"
        size="middle"
        scroll={scrollX(1100, list.data?.items)}
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        columns={sized(list.data?.items, sortedColumns)}
        locale={period?.[0] || period?.[1] ? { emptyText: t('noCopiesInPeriod') } : undefined}
        onChange={sort.onChange}
        pagination={serverPagination(page, setPage, list.data?.total)}
      />
    </Watermark>
  );
}

/** /copies: the copies I hold, what waits for my confirmation, and the ledger (readers). */
export default function CopiesPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const waiting = useMyConfirmations();
  const count = waiting.data?.length ?? 0;
  const [tab, setTab] = useState<string | null>(null);
  // Until the user picks a tab: what waits for them first, else the ledger (readers) or their copies.
  const initial = count > 0 ? 'confirmations' : can('controlled_copy:read') ? 'ledger' : 'mine';
  // Chosen once what waits is known; it stays when the list empties (a decision must not switch tabs).
  useEffect(() => {
    if (tab === null && waiting.isSuccess) setTab(initial);
  }, [tab, waiting.isSuccess, initial]);
  const items = [
    { key: 'mine', label: t('myCopies'), children: <MyCopies /> },
    {
      key: 'confirmations',
      label: (
        <span>
          {t('confirmations')} <Badge count={count} size="small" />
        </span>
      ),
      children: <ConfirmationsTable />,
    },
    ...(can('controlled_copy:read') ? [{ key: 'ledger', label: t('ledger'), children: <Ledger /> }] : []),
  ];
  return (
    <PageContainer title={t('copiesTitle')} description={t('copiesIntro')}>
      <Tabs items={items} activeKey={tab ?? initial} onChange={setTab} destroyOnHidden />
      <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
        {t('noTransfer')}
      </Typography.Paragraph>
    </PageContainer>
  );
}
