import { useEffect, useState } from 'react';
import { Button, Flex, Form, Input, Modal, Select, Space, Table, Typography } from 'antd';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { PageContainer } from '../../components/PageContainer';
import { feedback } from '../../components/feedback';
import { applyApiErrors, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDate, formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { messages } from './messages';
import { StatusTag, type Tone } from './StatusTag';

type MyRectificationList = paths['/api/v1/me/rectifications']['get']['responses'][200]['content']['application/json'];
type MyRectification = MyRectificationList['items'][number];
type Status = MyRectification['status'];
type Filter = NonNullable<NonNullable<paths['/api/v1/me/rectifications']['get']['parameters']['query']>['status']> | 'all';

const STATUSES: readonly Status[] = ['open', 'in_progress', 'done'];
const FILTERS: readonly Filter[] = ['all', 'not_done', ...STATUSES];
const STATUS_TONE: Record<Status, Tone> = { open: 'warn', in_progress: 'info', done: 'ok' };
/** The list's query keys: a change reloads every page and filter of it. */
const LIST_KEY = ['me', 'rectifications'] as const;
/** GET /api/v1/me/work (the home area's MY_WORK_KEY): its rectification count changes with a status. */
const MY_WORK_KEY = ['me', 'work'] as const;
/** The query parameter My work opens a rectification with (its id only: no customer data in URLs; home/workLinks.ts writes it). */
const FOCUS_PARAM = 'rectification';

/**
 * /supervision/my-rectifications (R-RISK-MONTHLY, R-INSPECT): the rectifications the signed-in user
 * owns, whatever their source, for every signed-in user: an owner is often staff, a clerk or a
 * project manager who may not read the assessment or inspection it came from. Not done first
 * (the server orders and pages); the owner records progress and evidence on
 * PATCH /api/v1/me/rectifications/:id. My work links here with ?rectification=<id>, which opens
 * that action's dialog.
 */
export default function MyRectificationsPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const [filter, setFilter] = useState<Filter>('all');
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [editing, setEditing] = useState<MyRectification | null>(null);
  const list = useQuery({
    queryKey: [...LIST_KEY, filter, page],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/me/rectifications', {
          params: { query: { status: filter === 'all' ? undefined : filter, limit: page.pageSize, offset: (page.current - 1) * page.pageSize } },
        }),
      ),
    placeholderData: keepPreviousData,
  });

  // From My work: open the named rectification's dialog once, then drop the parameter (a reload
  // or the back button does not open it again). My work names the soonest-due open ones, which
  // lead the first page here; one not on it just shows the list.
  const focus = params.get(FOCUS_PARAM);
  useEffect(() => {
    if (!focus || !list.data || list.isPlaceholderData) return;
    const found = list.data.items.find((r) => String(r.id) === focus);
    if (found) setEditing(found);
    setParams(
      (p) => {
        p.delete(FOCUS_PARAM);
        return p;
      },
      { replace: true },
    );
  }, [focus, list.data, list.isPlaceholderData, setParams]);

  const sourceText = (r: MyRectification) => {
    const period = r.sourcePeriod ?? t('mrSourceGone');
    const label = r.sourceType === 'inspection' ? t('mrFromInspection', { period }) : t('mrFromAssessment', { period });
    const where = r.sourceType === 'inspection' ? (r.project ?? r.department) : (r.department ?? r.project);
    return where ? `${label} · ${where}` : label;
  };
  // The source opens only for those who may read it (the server decides again); the others see its name.
  const sourcePath = (r: MyRectification): string | null => {
    if (r.sourcePeriod === null) return null;
    if (r.sourceType === 'risk_assessment' && r.department && can('risk_assessment:read', `dept:${r.department}`)) return `/supervision/assessments/${r.sourceId}`;
    if (r.sourceType === 'inspection' && r.project && can('inspection:read', `project:${r.project}`)) return `/supervision/inspections/${r.sourceId}`;
    return null;
  };

  const total = list.data?.total ?? 0;
  return (
    <PageContainer title={t('mrTitle')} description={t('mrIntro')}>
      <Space style={{ marginBottom: 16 }}>
        <label htmlFor="mr-filter">{t('mrFilter')}</label>
        <Select<Filter>
          id="mr-filter"
          style={{ width: 180 }}
          value={filter}
          options={FILTERS.map((f) => ({ value: f, label: f === 'all' ? t('all') : f === 'not_done' ? t('mrNotDone') : t(`rs_${f}`) }))}
          onChange={(f) => {
            setFilter(f);
            setPage((p) => ({ ...p, current: 1 }));
          }}
        />
      </Space>
      <Table<MyRectification>
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 960 }}
        locale={{ emptyText: filter === 'all' ? t('mrNone') : t('mrNoneFiltered') }}
        pagination={{
          current: page.current,
          pageSize: page.pageSize,
          total,
          hideOnSinglePage: true,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100],
          showTotal: (n) => t('count', { n }),
          onChange: (current, pageSize) => setPage({ current, pageSize }),
        }}
        columns={[
          { title: t('mrNumber'), dataIndex: 'id', width: 72, render: (id: number) => `#${id}` },
          {
            title: t('mrSource'),
            key: 'source',
            width: 200,
            render: (_, r) => {
              const path = sourcePath(r);
              return path ? <Link to={path}>{sourceText(r)}</Link> : sourceText(r);
            },
          },
          { title: t('mrAction'), dataIndex: 'description', render: (d: string) => <span style={{ whiteSpace: 'pre-wrap' }}>{d}</span> },
          {
            title: t('dueDate'),
            dataIndex: 'dueDate',
            width: 130,
            render: (d: string, r) => (r.overdue ? <StatusTag tone="danger">{`${formatDate(d)} ${t('overdue')}`}</StatusTag> : formatDate(d)),
          },
          {
            title: t('status'),
            dataIndex: 'status',
            width: 140,
            render: (s: Status, r) => (
              <Flex vertical align="flex-start">
                <StatusTag tone={STATUS_TONE[s]}>{t(`rs_${s}`)}</StatusTag>
                {r.doneAt && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('mrDoneAt', { at: formatDateTime(r.doneAt) })}
                  </Typography.Text>
                )}
              </Flex>
            ),
          },
          { title: t('evidence'), dataIndex: 'evidenceNotes', render: (e: string | null) => <span style={{ whiteSpace: 'pre-wrap' }}>{e ?? ''}</span> },
          {
            title: t('actions'),
            key: 'a',
            width: 120,
            render: (_, r) => (
              <Button size="small" type={r.status === 'done' ? 'default' : 'primary'} onClick={() => setEditing(r)} aria-label={`${t('progress')}: #${r.id} ${r.description}`}>
                {t('progress')}
              </Button>
            ),
          },
        ]}
      />
      {editing && <Progress key={editing.id} r={editing} onClose={() => setEditing(null)} />}
    </PageContainer>
  );
}

type ProgressValues = { status: Status; evidenceNotes?: string };

/**
 * The owner's progress dialog. A refusal stays in the dialog with what was typed: a 400 beside its
 * field, a 403 (no longer the owner) or 409 (reassigned meanwhile) as a message, the list reloaded.
 */
function Progress({ r, onClose }: { r: MyRectification; onClose: () => void }) {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const [form] = Form.useForm<ProgressValues>();
  const reload = useReloadOnConflict(LIST_KEY, MY_WORK_KEY);
  const m = useMutation({
    mutationFn: (v: ProgressValues) => {
      const evidence = v.evidenceNotes?.trim();
      return unwrap(
        api.PATCH('/api/v1/me/rectifications/{id}', {
          params: { path: { id: String(r.id) } },
          // Unchanged evidence is not sent again (the server refuses an empty text; clearing it is not an action).
          body: { status: v.status, ...(evidence && evidence !== (r.evidenceNotes ?? '') ? { evidenceNotes: evidence } : {}) },
        }),
      );
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: LIST_KEY });
      void qc.invalidateQueries({ queryKey: MY_WORK_KEY });
      feedback().message.success(t('mrSaved'));
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal
      open
      title={`${t('progress')}: #${r.id}`}
      okText={t('save')}
      cancelText={t('cancel')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={m.isPending}
      destroyOnHidden
    >
      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{r.description}</Typography.Paragraph>
      <Typography.Paragraph type={r.overdue ? 'danger' : 'secondary'}>
        {t('mrDueLabel', { date: formatDate(r.dueDate) })}
        {r.overdue ? ` ${t('overdue')}` : ''}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ status: r.status, evidenceNotes: r.evidenceNotes ?? '' }} onFinish={(v) => m.mutate(v)}>
        <Form.Item name="status" label={t('status')}>
          <Select options={STATUSES.map((s) => ({ value: s, label: t(`rs_${s}`) }))} />
        </Form.Item>
        <Form.Item name="evidenceNotes" label={t('evidence')} extra={t('mrEvidenceHelp')}>
          <Input.TextArea rows={4} maxLength={5000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
