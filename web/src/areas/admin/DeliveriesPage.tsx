import { useState } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Flex, Popconfirm, Segmented, Table, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { PageContainer } from '../../components/PageContainer';
import { showApiError } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { serverPagination, type Page } from '../../shared/table';
import { notifyMessages } from './notifyMessages';
import { useKindOptions, useRobots } from './notifyShared';

type Delivery = paths['/api/v1/notification-deliveries']['get']['responses'][200]['content']['application/json']['items'][number];
type Status = 'dead' | 'pending' | 'sent';

const STATUSES: Status[] = ['dead', 'pending', 'sent'];
const KEY = ['admin', 'notification-deliveries'] as const;

/**
 * /admin/deliveries — e-mail and group-robot deliveries by status, the dead letters first (those
 * that failed every retry): each with its last error, and "send again" once the cause is fixed.
 * Robot targets come masked from the server.
 */
export default function DeliveriesPage() {
  const t = useMessages(notifyMessages);
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const [status, setStatus] = useState<Status>('dead');
  const [page, setPage] = useState<Page>({ current: 1, pageSize: 20 });
  const list = useQuery({
    queryKey: [...KEY, status, page],
    placeholderData: keepPreviousData,
    queryFn: () => unwrap(api.GET('/api/v1/notification-deliveries', { params: { query: { status, limit: page.pageSize, offset: (page.current - 1) * page.pageSize } } })),
  });
  const changed = () => qc.invalidateQueries({ queryKey: KEY });
  const retry = useMutation({
    mutationFn: (d: Delivery) => unwrap(api.POST('/api/v1/notification-deliveries/{id}/retry', { params: { path: { id: String(d.id) } } })),
    onSuccess: () => {
      message.success(t('retried'));
      void changed();
    },
    onError: (err) => {
      showApiError(err);
      void changed();
    },
  });
  const mayRetry = can('notification_delivery:retry');
  const kinds = useKindOptions();
  const robots = useRobots();
  // A robot target is 'robot:<id>' (never its webhook): named from the robot list when it is at hand.
  const robotName = new Map((robots.data?.items ?? []).map((r) => [`robot:${r.id}`, r.name]));
  const channel = (c: string) => (['email', 'wecom', 'dingtalk', 'feishu'].includes(c) ? t(`ch_${c}` as 'ch_email') : c);
  return (
    <PageContainer
      title={t('deliveriesTitle')}
      description={t('deliveriesIntro')}
      extra={
        <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching}>
          {t('refresh')}
        </Button>
      }
    >
      <Flex gap={16} align="center" wrap style={{ marginBottom: 16 }}>
        <Segmented<Status>
          aria-label={t('status')}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage((p) => ({ ...p, current: 1 }));
          }}
          options={STATUSES.map((s) => ({ value: s, label: t(`ds_${s}`) }))}
        />
      </Flex>
      <Table<Delivery>
        rowKey="id"
        size="middle"
        loading={list.isFetching}
        dataSource={list.data?.items}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('noDeliveries') }}
        pagination={serverPagination(page, setPage, list.data?.total, (n) => t('total', { n }))}
        columns={[
          { title: '#', dataIndex: 'id', width: 60 },
          { title: t('kind'), dataIndex: 'kind', render: (k: string | null) => (k ? (kinds.title.get(k) ?? k) : '—') },
          { title: t('channel'), dataIndex: 'channel', render: channel },
          {
            title: t('target'),
            dataIndex: 'target',
            render: (v: string) => (robotName.has(v) ? `${robotName.get(v)} (${v})` : <Typography.Text code>{v}</Typography.Text>),
          },
          { title: t('attempts'), dataIndex: 'attempts' },
          {
            title: t('lastError'),
            dataIndex: 'lastError',
            render: (e: string | null) => (e ? <div style={{ maxWidth: 240, whiteSpace: 'normal', wordBreak: 'break-word' }}>{e}</div> : '—'),
          },
          {
            title: t('when'),
            key: 'when',
            render: (_: unknown, d) => (
              <div style={{ whiteSpace: 'nowrap' }}>
                <div>
                  {t('createdAt')} {formatDateTime(d.createdAt)}
                </div>
                {status === 'sent' && d.sentAt && (
                  <div>
                    {t('sentAt')} {formatDateTime(d.sentAt)}
                  </div>
                )}
                {status === 'pending' && (
                  <div>
                    {t('nextAttemptAt')} {formatDateTime(d.nextAttemptAt)}
                  </div>
                )}
              </div>
            ),
          },
          // Only a dead letter can be sent again.
          ...(status === 'dead' && mayRetry
            ? [
                {
                  title: t('actions'),
                  key: 'a',
                  fixed: 'right' as const,
                  render: (_: unknown, d: Delivery) => (
                    <Popconfirm title={t('retryConfirm', { id: d.id })} okText={t('retry')} cancelText={t('cancel')} onConfirm={() => retry.mutate(d)}>
                      <Button size="small" loading={retry.isPending && retry.variables?.id === d.id} aria-label={`${t('retry')} #${d.id}`}>
                        {t('retry')}
                      </Button>
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
    </PageContainer>
  );
}
