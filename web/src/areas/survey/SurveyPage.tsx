import { useState } from 'react';
import { Alert, App, Button, Card, Empty, Form, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { isConflict, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { messages } from './messages';
import { NewNoteModal, OriginalModal, ReconcileModal } from './SurveyDialogs';
import { useProjectsWhere } from '../../shared/org';
import type { SurveyNote } from './shared';

type Status = 'pending_reconciliation' | 'archived';
const REMOVED_KINDS = ['mobile', 'landline', 'id_number', 'email', 'employer'] as const;

/**
 * /survey — a project's survey and census notes (R-SURVEY-REDACT), always redacted as the API
 * gives them, paged on the server. The customer manager posts and archives (once reconciled);
 * the information clerk reads the original for a stated reason (audited, shown 60 s) and
 * reconciles into the control data. Only the project code goes into the URL.
 */
export default function SurveyPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { projects, loading, scopesOf } = useProjectsWhere('survey_note:read');
  const [params, setParams] = useSearchParams();
  const chosen = params.get('project');
  const project = chosen && projects.includes(chosen) ? chosen : projects[0];
  const [status, setStatus] = useState<Status | 'all'>('all');
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [creating, setCreating] = useState(false);
  const [originalOf, setOriginalOf] = useState<number | null>(null);
  const [reconciling, setReconciling] = useState<SurveyNote | null>(null);

  const list = useQuery({
    queryKey: ['survey-notes', project, status, page.current, page.pageSize],
    enabled: !!project,
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/survey-notes', {
          params: {
            query: { project: project!, ...(status === 'all' ? {} : { status }), limit: page.pageSize, offset: (page.current - 1) * page.pageSize },
          },
        }),
      ),
  });

  // 409 (already archived by someone else, or not reconciled yet): the message, and the list reloads.
  const reload = useReloadOnConflict(['survey-notes']);
  const archive = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/survey-notes/{id}/archive', { params: { path: { id: String(id) } } })),
    onSuccess: (n) => message.success(t('archivedDone', { id: n.id })),
    onError: (err) => showApiError(err, { reload }),
    // The list again after any other answer too, as before (a 409 has reloaded it already).
    onSettled: (_data, err) => (isConflict(err) ? undefined : qc.invalidateQueries({ queryKey: ['survey-notes'] })),
  });

  const scopes = scopesOf(project);
  const mayCreate = can('survey_note:create', scopes);
  const mayUpdate = can('survey_note:update', scopes);
  const mayArchive = can('survey_note:archive', scopes);

  const chooseProject = (p: string) => {
    setParams({ project: p }, { replace: true });
    setPage((s) => ({ ...s, current: 1 }));
  };

  const removedText = (r: Record<string, number>) => {
    const parts = Object.entries(r)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${(REMOVED_KINDS as readonly string[]).includes(k) ? t(k as (typeof REMOVED_KINDS)[number]) : k} × ${n}`);
    return parts.length ? parts.join(', ') : t('removedNone');
  };

  const columns = [
    { title: 'ID', dataIndex: 'id', width: 60 },
    {
      title: t('sourceStatus'),
      key: 'status',
      width: 130,
      render: (_: unknown, n: SurveyNote) => (
        <Space orientation="vertical" size={2}>
          <Space size={4}>
            <Tag>{t(n.source)}</Tag>
            <Tag color={n.status === 'archived' ? 'default' : 'gold'}>{t(n.status)}</Tag>
          </Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {n.status === 'archived'
              ? n.archivedAt && formatDateTime(n.archivedAt)
              : n.reconciledCustomerIds.length
                ? t('reconciledCount', { count: n.reconciledCustomerIds.length })
                : t('notReconciled')}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('unit'), dataIndex: 'unit', width: 110, render: (u: string | null) => u ?? '' },
    {
      title: t('text'),
      dataIndex: 'text',
      render: (s: string) => <div style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{s}</div>,
    },
    { title: t('removed'), dataIndex: 'removed', width: 110, render: removedText },
    { title: t('createdAt'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatDateTime(v) },
    {
      title: t('actions'),
      key: 'actions',
      fixed: 'right' as const,
      width: 190,
      render: (_: unknown, n: SurveyNote) => {
        if (n.status !== 'pending_reconciliation') return null;
        // The customer manager archives only a reconciled note (409 not_reconciled before); the clerk any.
        const waits = !mayUpdate && n.reconciledCustomerIds.length === 0;
        return (
          <Space wrap size={4}>
            {mayUpdate && (
              <Button size="small" onClick={() => setOriginalOf(n.id)} aria-label={t('originalOf', { id: n.id })}>
                {t('original')}
              </Button>
            )}
            {mayUpdate && (
              <Button size="small" onClick={() => setReconciling(n)} aria-label={t('reconcileOf', { id: n.id })}>
                {t('reconcile')}
              </Button>
            )}
            {mayArchive &&
              (waits ? (
                <Tooltip title={t('archiveWaits')}>
                  <Button size="small" disabled aria-label={t('archiveOf', { id: n.id })}>
                    {t('archive')}
                  </Button>
                </Tooltip>
              ) : (
                <Popconfirm title={t('archiveConfirm')} okText={t('yes')} cancelText={t('no')} onConfirm={() => archive.mutateAsync(n.id).catch(() => undefined)}>
                  <Button size="small" danger aria-label={t('archiveOf', { id: n.id })} loading={archive.isPending && archive.variables === n.id}>
                    {t('archive')}
                  </Button>
                </Popconfirm>
              ))}
          </Space>
        );
      },
    },
  ];

  return (
    <Watermark>
      <PageContainer
        title={t('title')}
        description={t('intro')}
        extra={
          mayCreate && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} disabled={!project}>
              {t('create')}
            </Button>
          )
        }
      >
        {!loading && projects.length === 0 ? (
          <Alert type="info" showIcon title={t('noProject')} />
        ) : (
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Card size="small">
              <Form layout="inline">
                <Form.Item label={t('project')} htmlFor="survey-project">
                  <Select
                    id="survey-project"
                    style={{ minWidth: 200 }}
                    loading={loading}
                    value={project}
                    placeholder={t('projectPlaceholder')}
                    onChange={chooseProject}
                    options={projects.map((p) => ({ value: p, label: p }))}
                    showSearch
                  />
                </Form.Item>
                <Form.Item label={t('status')} htmlFor="survey-status">
                  <Select
                    id="survey-status"
                    style={{ minWidth: 140 }}
                    value={status}
                    onChange={(s) => {
                      setStatus(s);
                      setPage((p) => ({ ...p, current: 1 }));
                    }}
                    options={[
                      { value: 'all', label: t('statusAll') },
                      { value: 'pending_reconciliation', label: t('pending_reconciliation') },
                      { value: 'archived', label: t('archived') },
                    ]}
                  />
                </Form.Item>
              </Form>
            </Card>
            <Table<SurveyNote>
              rowKey="id"
              size="middle"
              scroll={{ x: 1000 }}
              columns={columns}
              loading={list.isFetching}
              dataSource={list.data?.items ?? []}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
              pagination={{
                current: page.current,
                pageSize: page.pageSize,
                total: list.data?.total ?? 0,
                pageSizeOptions: [20, 50, 100],
                showSizeChanger: true,
                showTotal: (total) => t('total', { total }),
                onChange: (current, pageSize) => setPage({ current: pageSize !== page.pageSize ? 1 : current, pageSize }),
              }}
            />
          </Space>
        )}
      </PageContainer>
      {project && <NewNoteModal open={creating} project={project} onClose={() => setCreating(false)} />}
      {originalOf !== null && <OriginalModal id={originalOf} onClose={() => setOriginalOf(null)} />}
      {reconciling && project && <ReconcileModal note={reconciling} project={project} onClose={() => setReconciling(null)} />}
    </Watermark>
  );
}
