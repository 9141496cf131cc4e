import { useState } from 'react';
import { App, Button, Popconfirm, Space, Table } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { messages } from './messages';
import { ReasonModal, scrollX, sized } from './shared';
import type { Confirmation } from './types';

/** What waits for my confirmation as witness or keeper (GET /api/v1/me/confirmations, open ones). */
export function useMyConfirmations() {
  return useQuery({
    queryKey: ['copies', 'my-confirmations'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/me/confirmations', { params: { query: {} } }))).items,
  });
}

/** Confirms or declines one confirmation from my own session (the route of its kind). */
export function decideConfirmation(c: Pick<Confirmation, 'kind' | 'serial'>, decision: 'confirm' | 'decline', reason?: string): Promise<unknown> {
  if (c.kind === 'handover_destruction') {
    const id = c.serial.replace(/^HF-/, '');
    return decision === 'confirm'
      ? unwrap(api.POST('/api/v1/handover-files/{id}/destruction/confirm', { params: { path: { id } }, body: {} }))
      : unwrap(api.POST('/api/v1/handover-files/{id}/destruction/decline', { params: { path: { id } }, body: { reason: reason ?? '' } }));
  }
  const path = { serial: c.serial };
  if (c.kind === 'copy_return') {
    return decision === 'confirm'
      ? unwrap(api.POST('/api/v1/copies/{serial}/return/confirm', { params: { path }, body: {} }))
      : unwrap(api.POST('/api/v1/copies/{serial}/return/decline', { params: { path }, body: { reason: reason ?? '' } }));
  }
  return decision === 'confirm'
    ? unwrap(api.POST('/api/v1/copies/{serial}/destruction/confirm', { params: { path }, body: {} }))
    : unwrap(api.POST('/api/v1/copies/{serial}/destruction/decline', { params: { path }, body: { reason: reason ?? '' } }));
}

export function ConfirmationsTable() {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const { message } = App.useApp();
  const list = useMyConfirmations();
  const [declining, setDeclining] = useState<Confirmation | null>(null);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['copies'] });
    void qc.invalidateQueries({ queryKey: ['copy'] });
  };
  const reload = useReloadOnConflict(['copies'], ['copy']);
  const confirm = useMutation({
    mutationFn: (c: Confirmation) => decideConfirmation(c, 'confirm'),
    onSuccess: () => {
      message.success(t('confirmedMsg'));
      refresh();
    },
    onError: (err) => {
      showApiError(err);
      refresh();
    },
  });
  return (
    <>
      <Table<Confirmation>
        rowKey="id"
        size="middle"
        scroll={scrollX(1000, list.data)}
        loading={list.isFetching}
        dataSource={list.data ?? []}
        locale={{ emptyText: t('noConfirmations') }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={sized<Confirmation>(list.data, [
          { title: t('kind'), dataIndex: 'kind', width: 150, render: (k: Confirmation['kind']) => t(`k_${k}`) },
          {
            title: t('serial'),
            dataIndex: 'serial',
            width: 150,
            render: (s: string, c) => (c.objectType === 'controlled_copy' ? <Link to={`/copies/${s}`}>{s}</Link> : s),
          },
          { title: t('project'), dataIndex: 'project', width: 110 },
          { title: t('recordedBy'), key: 'by', width: 150, render: (_, c) => c.requestedBy?.displayName ?? '—' },
          { title: t('recordedAt'), dataIndex: 'requestedAt', width: 150, render: (d: string) => formatDateTime(d) },
          { title: t('methodPlace'), key: 'mp', render: (_, c) => [c.method ? t(`m_${c.method}` as 'm_other') : null, c.place].filter(Boolean).join(' / ') || '—' },
          { title: t('dueAt'), dataIndex: 'dueAt', width: 150, render: (d: string) => formatDateTime(d) },
          {
            title: t('actions'),
            key: 'actions',
            fixed: 'right',
            width: 170,
            render: (_, c) => (
              <Space>
                <Popconfirm
                  title={c.kind === 'copy_return' ? t('confirmReturn', { serial: c.serial }) : t('confirmDestruction', { serial: c.serial })}
                  okText={t('confirm')}
                  cancelText={t('cancel')}
                  onConfirm={() => confirm.mutateAsync(c).catch(() => undefined)}
                >
                  <Button type="primary" size="small" loading={confirm.isPending && confirm.variables?.id === c.id}>
                    {t('confirm')}
                  </Button>
                </Popconfirm>
                <Button size="small" danger onClick={() => setDeclining(c)}>
                  {t('decline')}
                </Button>
              </Space>
            ),
          },
        ])}
      />
      <ReasonModal
        open={declining !== null}
        title={declining ? t('declineTitle', { serial: declining.serial }) : ''}
        onCancel={() => setDeclining(null)}
        reload={reload}
        onSubmit={async (reason) => {
          await decideConfirmation(declining!, 'decline', reason);
          setDeclining(null);
          message.success(t('declinedMsg'));
          refresh();
        }}
      />
    </>
  );
}
