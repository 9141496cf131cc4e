import { useState } from 'react';
import { App, Button, Descriptions, Flex, Popconfirm, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { serverPagination } from '../../shared/table';
import { useProjects } from '../../shared/org';
import { messages } from './messages';
import { NewRequestModal } from './NewRequestModal';
import { CopyStatusTag, ReasonModal, RequestStatusTag, scrollX, sized } from './shared';
import { REQUEST_STATUSES, type PrintRequest, type RequestStatus } from './types';

/** One list of print requests: mine (mine=true) or the approval queue (every request of the projects I supervise). */
function RequestsTable({ mode }: { mode: 'mine' | 'queue' }) {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const { message } = App.useApp();
  const { user } = useSession();
  const projects = useProjects();
  const [status, setStatus] = useState<RequestStatus | undefined>(mode === 'queue' ? 'pending' : undefined);
  const [project, setProject] = useState<string | undefined>();
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [rejecting, setRejecting] = useState<PrintRequest | null>(null);

  const query = {
    ...(status ? { status } : {}),
    ...(project ? { project } : {}),
    ...(mode === 'mine' ? { mine: 'true' as const } : {}),
    limit: page.pageSize,
    offset: (page.current - 1) * page.pageSize,
  };
  const list = useQuery({
    queryKey: ['print-requests', query],
    queryFn: () => unwrap(api.GET('/api/v1/print-requests', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const done = (text: string) => {
    message.success(text);
    void qc.invalidateQueries({ queryKey: ['print-requests'] });
    void qc.invalidateQueries({ queryKey: ['copies'] });
  };
  // 409: another approver decided, or the requester cancelled, first: the message, and the list reloads.
  const reload = useReloadOnConflict(['print-requests'], ['copies']);
  const approve = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/print-requests/{id}/approve', { params: { path: { id: String(id) } }, body: {} })),
    onSuccess: () => done(t('approved')),
    // The server refuses one's own request (403 own_request) and a decided one (409): its message says which.
    onError: (err) => showApiError(err, { reload }),
  });
  const cancel = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/print-requests/{id}/cancel', { params: { path: { id: String(id) } }, body: {} })),
    onSuccess: () => done(t('cancelled')),
    onError: (err) => showApiError(err, { reload }),
  });

  return (
    <>
      <Flex gap={12} wrap style={{ marginBottom: 12 }}>
        <Select
          aria-label={t('status')}
          style={{ minWidth: 160 }}
          allowClear
          placeholder={t('anyStatus')}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage((p) => ({ ...p, current: 1 }));
          }}
          options={REQUEST_STATUSES.map((s) => ({ value: s, label: t(`rs_${s}`) }))}
        />
        <Select
          aria-label={t('project')}
          style={{ minWidth: 180 }}
          allowClear
          placeholder={t('anyProject')}
          value={project}
          onChange={(v) => {
            setProject(v);
            setPage((p) => ({ ...p, current: 1 }));
          }}
          options={(projects.data ?? []).map((p) => ({ value: p.code, label: `${p.code} ${p.name}` }))}
        />
      </Flex>
      <Table<PrintRequest>
        rowKey="id"
        size="middle"
        scroll={scrollX(1300, list.data?.items)}
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        pagination={serverPagination(page, setPage, list.data?.total)}
        expandable={{
          expandedRowRender: (r) => (
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t('purpose')}>{r.purpose}</Descriptions.Item>
              <Descriptions.Item label={t('includePersonal')}>{r.includePersonal ? t('yes') : t('no')}</Descriptions.Item>
              {r.decidedBy && (
                <Descriptions.Item label={t('decidedBy')}>
                  {r.decidedBy.displayName} · {formatDateTime(r.decidedAt)}
                </Descriptions.Item>
              )}
              {r.decisionNote && <Descriptions.Item label={t('decisionNote')}>{r.decisionNote}</Descriptions.Item>}
              {r.issuedCopies.length > 0 && (
                <Descriptions.Item label={t('issuedCopies')}>
                  <Space wrap>
                    {r.issuedCopies.map((c) => (
                      <span key={c.serial}>
                        <Link to={`/copies/${c.serial}`}>{c.serial}</Link> <CopyStatusTag status={c.status} />
                      </span>
                    ))}
                  </Space>
                </Descriptions.Item>
              )}
            </Descriptions>
          ),
        }}
        columns={sized<PrintRequest>(list.data?.items, [
          { title: t('id'), dataIndex: 'id', width: 70 },
          { title: t('project'), dataIndex: 'project', width: 120 },
          { title: t('status'), dataIndex: 'status', width: 110, render: (s: RequestStatus) => <RequestStatusTag status={s} /> },
          {
            title: t('purpose'),
            dataIndex: 'purpose',
            width: 240,
            ellipsis: true,
          },
          {
            title: t('records'),
            key: 'records',
            width: 90,
            render: (_, r) => r.recordIds?.length ?? r.customerIds?.length ?? '—',
          },
          { title: t('copies'), dataIndex: 'copies', width: 70 },
          { title: t('usageDays'), dataIndex: 'usageDays', width: 90 },
          {
            title: t('requestedBy'),
            key: 'requestedBy',
            width: 160,
            render: (_, r) => (
              <>
                {r.requestedBy?.displayName ?? '—'} {r.requestedBy?.id === user.id && <Tag>{t('mineTag')}</Tag>}
              </>
            ),
          },
          { title: t('requestedAt'), dataIndex: 'createdAt', width: 150, render: (d: string) => formatDateTime(d) },
          {
            title: t('actions'),
            key: 'actions',
            fixed: 'right',
            width: 190,
            render: (_, r) =>
              r.status !== 'pending' ? null : mode === 'queue' ? (
                <Space>
                  <Popconfirm
                    title={t('approveConfirm', { id: r.id, copies: r.copies })}
                    okText={t('approve')}
                    cancelText={t('cancel')}
                    onConfirm={() => approve.mutateAsync(r.id).catch(() => undefined)}
                  >
                    <Button type="primary" size="small" loading={approve.isPending && approve.variables === r.id}>
                      {t('approve')}
                    </Button>
                  </Popconfirm>
                  <Button size="small" danger onClick={() => setRejecting(r)}>
                    {t('reject')}
                  </Button>
                </Space>
              ) : (
                <Popconfirm title={t('cancelRequest')} okText={t('cancelRequest')} cancelText={t('cancel')} onConfirm={() => cancel.mutateAsync(r.id).catch(() => undefined)}>
                  <Button size="small">{t('cancelRequest')}</Button>
                </Popconfirm>
              ),
          },
        ])}
      />
      <ReasonModal
        open={rejecting !== null}
        title={rejecting ? t('rejectTitle', { id: rejecting.id }) : ''}
        onCancel={() => setRejecting(null)}
        reload={reload}
        onSubmit={async (reason) => {
          await unwrap(api.POST('/api/v1/print-requests/{id}/reject', { params: { path: { id: String(rejecting!.id) } }, body: { reason } }));
          setRejecting(null);
          done(t('rejected'));
        }}
      />
    </>
  );
}

/** /print-requests: my requests, the approval queue (approvers), and the new-request form. */
export default function PrintRequestsPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const [creating, setCreating] = useState(false);
  const canCreate = can('print_request:create');
  const canApprove = can('print_request:approve');
  const items = [
    { key: 'mine', label: t('myRequests'), children: <RequestsTable mode="mine" /> },
    ...(canApprove ? [{ key: 'queue', label: t('queue'), children: <RequestsTable mode="queue" /> }] : []),
  ];
  // ?view=queue (the home page's "waiting for my approval" link) opens the approver's queue.
  const [search, setSearch] = useSearchParams();
  const view = canApprove && search.get('view') === 'queue' ? 'queue' : 'mine';
  return (
    <PageContainer
      title={t('requestsTitle')}
      description={t('requestsIntro')}
      extra={
        canCreate && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('newRequest')}
          </Button>
        )
      }
    >
      {items.length > 1 ? (
        <Tabs items={items} activeKey={view} onChange={(key) => setSearch(key === 'queue' ? { view: 'queue' } : {}, { replace: true })} destroyOnHidden />
      ) : (
        <>{items[0].children}</>
      )}
      {canCreate && <NewRequestModal open={creating} onClose={() => setCreating(false)} />}
      <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
        {t('noTransfer')}
      </Typography.Paragraph>
    </PageContainer>
  );
}
