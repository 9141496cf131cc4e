import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Form, Select, Table, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { projectScopes, useDepartments, useProjects } from '../../shared/org';
import { serverPagination, useServerSort } from '../../shared/table';
import { messages } from './messages';
import { RegisterCaseModal } from './RegisterCaseModal';
import { CaseView, Countdown, label, STATUSES, StatusTag, type CaseStatus } from './shared';

type Where = '*' | `dept:${string}` | `project:${string}`;
/** The columns the server sorts by (?sort=), by the column's dataIndex. */
const SORTS = { caseNo: 'caseNo', acceptedAt: 'registeredAt', dueDate: 'deadline', status: 'status' } as const;

/** /cases — the case desk: server-paged list with where/status/overdue filters and the deadline countdown (R-CASE-DEADLINE). */
export default function CasesPage() {
  const t = useMessages(messages);
  const { can, permissions } = useSession();
  const navigate = useNavigate();
  const projects = useProjects();
  const departments = useDepartments();
  const readScopes = permissions.find((p) => p.permission === 'case:read')?.scopes ?? [];
  const company = readScopes.includes('*');

  // Where to list: the company (case:read in '*'), a department, or a project the user reads cases in.
  const whereOptions = useMemo(() => {
    const out: { value: Where; label: string }[] = [];
    if (company) out.push({ value: '*', label: t('allProjects') });
    for (const d of departments.data ?? []) {
      if (company || readScopes.includes(`dept:${d.code}`)) out.push({ value: `dept:${d.code}`, label: `${d.code} ${d.name}` });
    }
    for (const p of projects.data ?? []) {
      if (can('case:read', projectScopes(p))) out.push({ value: `project:${p.code}`, label: `${p.code} ${p.name}` });
    }
    return out;
  }, [company, departments.data, projects.data, readScopes, can, t]);

  const [chosen, setChosen] = useState<Where | undefined>();
  const where: Where | undefined = chosen ?? whereOptions[0]?.value;
  const [status, setStatus] = useState<CaseStatus | undefined>();
  const [overdue, setOverdue] = useState<'true' | 'false' | undefined>();
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const sort = useServerSort(SORTS, () => setPage((p) => ({ ...p, current: 1 })));
  const [registering, setRegistering] = useState(false);

  const query = {
    ...(where?.startsWith('project:') ? { project: where.slice(8) } : {}),
    ...(where?.startsWith('dept:') ? { department: where.slice(5) } : {}),
    ...(status ? { status } : {}),
    ...(overdue ? { overdue } : {}),
    ...sort.query,
    limit: page.pageSize,
    offset: (page.current - 1) * page.pageSize,
  };
  const list = useQuery({
    queryKey: ['cases', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/cases', { params: { query } })),
    enabled: where !== undefined,
    placeholderData: keepPreviousData,
  });

  const canCreate = can('case:create');
  const reset = () => setPage((p) => ({ ...p, current: 1 }));
  const { sorted } = sort;

  return (
    <PageContainer
      title={t('deskTitle')}
      description={t('deskIntro')}
      extra={
        canCreate && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setRegistering(true)}>
            {t('register')}
          </Button>
        )
      }
    >
      <Watermark>
        <Form layout="inline" aria-label={t('filters')} style={{ marginBottom: 16, rowGap: 8 }}>
          <Form.Item label={t('project')} htmlFor="cases-where">
            <Select
              id="cases-where"
              style={{ width: 260 }}
              value={where}
              options={whereOptions}
              loading={projects.isLoading || departments.isLoading}
              onChange={(v) => {
                setChosen(v);
                reset();
              }}
            />
          </Form.Item>
          <Form.Item label={t('status')} htmlFor="cases-status">
            <Select
              id="cases-status"
              style={{ width: 160 }}
              allowClear
              placeholder={t('allStatuses')}
              value={status}
              options={STATUSES.map((s) => ({ value: s, label: label(t, 'st', s) }))}
              onChange={(v) => {
                setStatus(v);
                reset();
              }}
            />
          </Form.Item>
          <Form.Item label={t('overdueFilter')} htmlFor="cases-overdue">
            <Select
              id="cases-overdue"
              style={{ width: 140 }}
              allowClear
              placeholder={t('any')}
              value={overdue}
              options={[
                { value: 'true', label: t('overdueOnly') },
                { value: 'false', label: t('notOverdue') },
              ]}
              onChange={(v) => {
                setOverdue(v);
                reset();
              }}
            />
          </Form.Item>
        </Form>
        <Table<CaseView>
          rowKey="id"
          size="middle"
          scroll={{ x: 980 }}
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: t('noCases') }}
          onRow={(c) => ({ style: c.overdue ? { background: '#fff1f0' } : undefined })}
          pagination={serverPagination(page, setPage, list.data?.total, (total) => t('totalCases', { total }))}
          onChange={sort.onChange}
          columns={[
            {
              title: t('caseNo'),
              dataIndex: 'caseNo',
              ...sorted('caseNo'),
              fixed: 'left',
              width: 110,
              render: (no: string, c) => (
                <Link to={`/cases/${c.id}`} aria-label={t('openCase', { caseNo: no })}>
                  {no}
                </Link>
              ),
            },
            { title: t('project'), dataIndex: 'project', width: 120 },
            {
              title: t('customer'),
              key: 'customer',
              render: (_: unknown, c) =>
                c.customer ? (
                  <span>
                    {c.customer.name} <Typography.Text type="secondary">{c.customer.unit}</Typography.Text>
                  </span>
                ) : (
                  <Typography.Text type="secondary">{t('customerDeleted')}</Typography.Text>
                ),
            },
            { title: t('type'), dataIndex: 'type', render: (v: string) => label(t, 'ty', v) },
            { title: t('status'), dataIndex: 'status', ...sorted('status'), render: (s: CaseStatus) => <StatusTag status={s} t={t} /> },
            { title: t('acceptedAt'), dataIndex: 'acceptedAt', ...sorted('acceptedAt'), render: (v: string) => formatDateTime(v) },
            { title: t('dueDate'), dataIndex: 'dueDate', ...sorted('dueDate'), width: 120 },
            { title: t('deadline'), key: 'deadline', render: (_: unknown, c) => <Countdown c={c} t={t} /> },
          ]}
        />
        {/* Inside the watermark: the dialog lists customers (antd passes the watermark on to the modal). */}
        {registering && (
          <RegisterCaseModal
            onClose={() => setRegistering(false)}
            onRegistered={(c) => {
              setRegistering(false);
              void navigate(`/cases/${c.id}`);
            }}
          />
        )}
      </Watermark>
    </PageContainer>
  );
}
