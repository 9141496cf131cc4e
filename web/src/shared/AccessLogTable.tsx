import { useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Flex, Form, Space, Table, Typography } from 'antd';
import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import dayjs, { type Dayjs } from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import { api, ApiError, download, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import { showApiError } from '../forms/apiErrors';
import { formatDateTime, getCompanyTimeZone } from '../i18n/format';
import { useMessages } from '../i18n/messages';
import { useSession } from '../session/SessionProvider';
import { accessLogMessages as messages } from './accessLogMessages';
import { personLabel } from './people';
import { periodQuery, type Period } from './period';
import { serverPagination } from './table';
import { ToneTag, type Tone } from './tone';

dayjs.extend(utc);
dayjs.extend(timezone);

/** One read of a customer's information, as GET /api/v1/customers/:id/access-log and /users/:id/access-log list it. */
export type AccessLogItem = paths['/api/v1/customers/{id}/access-log']['get']['responses'][200]['content']['application/json']['items'][number];
type Kind = AccessLogItem['kind'];

const KIND_TONES: Record<Kind, Tone> = { list: 'grey', open: 'blue', search: 'cyan', export: 'orange', print: 'purple', survey_original: 'magenta' };

/** Whose reads: a customer's readers, or the customers a user read. */
export type AccessLogOf = 'customer' | 'user';

/** Today in the company's time zone, as a plain calendar date for the picker. */
const companyToday = () => dayjs(dayjs().tz(getCompanyTimeZone()).format('YYYY-MM-DD'));

const h2 = { fontSize: 16, margin: 0 } as const;

/**
 * Who viewed which customer (R-AUDIT, R-SECRET): a customer's readers (`of="customer"`) or the
 * customers a user read (`of="user"`), newest first, paged by the server, over a period picked in
 * calendar days; CSV export of the same period (access_log:export, audited by the server). Only ids
 * and usernames are shown: the log holds no customer data. Callers check access_log:read and wrap
 * it in a Watermark.
 */
export function AccessLogCard({ of, id }: { of: AccessLogOf; id: number }) {
  const t = useMessages(messages);
  const { can } = useSession();
  const { message } = App.useApp();
  const [period, setPeriod] = useState<Period>(null);
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [exporting, setExporting] = useState(false);
  const range = periodQuery(period);
  const base = of === 'customer' ? '/api/v1/customers' : '/api/v1/users';

  const list = useQuery({
    queryKey: ['access-log', of, id, range.from ?? '', range.to ?? '', page.current, page.pageSize],
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: () => {
      const params = { path: { id: String(id) }, query: { ...range, limit: page.pageSize, offset: (page.current - 1) * page.pageSize } };
      return unwrap(of === 'customer' ? api.GET('/api/v1/customers/{id}/access-log', { params }) : api.GET('/api/v1/users/{id}/access-log', { params }));
    },
  });
  const items = list.data?.items ?? [];

  // Readers named "Display name (username)" when the caller may read accounts (cached with the user page's own query).
  const mayUsers = can('user:read');
  const readerIds = of === 'customer' && mayUsers ? [...new Set(items.map((i) => i.userId))] : [];
  const readers = useQueries({
    queries: readerIds.map((uid) => ({
      queryKey: ['admin', 'users', 'one', uid],
      queryFn: () => unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id: String(uid) } } })),
      staleTime: 300_000,
      retry: false,
    })),
  });
  const names = new Map<number, string>();
  readers.forEach((r, i) => {
    if (r.data) names.set(readerIds[i], personLabel(r.data));
  });
  const readerName = (i: AccessLogItem) => names.get(i.userId) ?? i.username ?? `#${i.userId}`;

  const runExport = async () => {
    setExporting(true);
    try {
      const q = new URLSearchParams(range);
      await download(`${base}/${id}/access-log/export${q.size ? `?${q.toString()}` : ''}`);
      message.success(t('exportDone'));
    } catch (err) {
      showApiError(err);
    } finally {
      setExporting(false);
    }
  };

  const today = companyToday();
  const presets = [
    { label: t('last7'), value: [today.subtract(6, 'day'), today] as [Dayjs, Dayjs] },
    { label: t('last30'), value: [today.subtract(29, 'day'), today] as [Dayjs, Dayjs] },
    { label: t('thisMonth'), value: [today.startOf('month'), today] as [Dayjs, Dayjs] },
    { label: t('lastMonth'), value: [today.subtract(1, 'month').startOf('month'), today.subtract(1, 'month').endOf('month').startOf('day')] as [Dayjs, Dayjs] },
  ];

  const who =
    of === 'customer'
      ? {
          title: t('user'),
          key: 'who',
          render: (_: unknown, i: AccessLogItem) =>
            mayUsers ? (
              <Link to={`/admin/users/${i.userId}`} aria-label={t('userNamed', { name: readerName(i) })}>
                {readerName(i)}
              </Link>
            ) : (
              readerName(i)
            ),
        }
      : {
          title: t('customer'),
          key: 'who',
          render: (_: unknown, i: AccessLogItem) =>
            i.customerId === null ? (
              t('customerGone')
            ) : (
              <Link to={`/customers/${i.customerId}`} aria-label={t('customerNamed', { id: i.customerId })}>
                {t('customerNo', { id: i.customerId })}
              </Link>
            ),
        };

  const titleId = `access-log-${of}-${id}`;
  return (
    <Card
      title={
        <h2 id={titleId} style={h2}>
          {of === 'customer' ? t('customerTitle') : t('userTitle')}
        </h2>
      }
      extra={
        <Space wrap>
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching}>
            {t('refresh')}
          </Button>
          {can('access_log:export') && (
            <Button icon={<DownloadOutlined />} onClick={runExport} loading={exporting}>
              {t('exportCsv')}
            </Button>
          )}
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{of === 'customer' ? t('customerIntro') : t('userIntro')}</Typography.Paragraph>
      <Flex wrap gap={16} align="start" style={{ marginBottom: 8 }}>
        <Form layout="vertical" style={{ maxWidth: 420, width: '100%' }}>
          <Form.Item label={t('period')} htmlFor={`${titleId}-period`} extra={t('periodHint')} style={{ marginBottom: 8 }}>
            <DatePicker.RangePicker
              id={`${titleId}-period`}
              allowEmpty={[true, true]}
              placeholder={[t('from'), t('to')]}
              presets={presets}
              value={period}
              onChange={(v) => {
                setPeriod(v);
                setPage((p) => ({ ...p, current: 1 }));
              }}
              style={{ width: '100%' }}
            />
          </Form.Item>
        </Form>
      </Flex>
      {list.error && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={list.error instanceof ApiError ? list.error.text : String(list.error)} />}
      <Table<AccessLogItem>
        rowKey="id"
        size="small"
        loading={list.isFetching}
        dataSource={items}
        scroll={{ x: 900 }}
        locale={{ emptyText: period?.[0] || period?.[1] ? t('empty') : t('emptyAll') }}
        pagination={serverPagination(page, setPage, list.data?.total, (total) => t('total', { total }))}
        columns={[
          { title: t('at'), dataIndex: 'at', width: 150, render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{formatDateTime(v)}</span> },
          who,
          { title: t('project'), dataIndex: 'project', render: (v: string | null) => <span style={{ whiteSpace: 'nowrap' }}>{v ?? ''}</span> },
          {
            title: t('kind'),
            dataIndex: 'kind',
            render: (k: Kind, i: AccessLogItem) => (
              <>
                <ToneTag tone={KIND_TONES[k] ?? 'grey'}>{t(`kind_${k}`)}</ToneTag>
                {i.ref && (
                  <div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('ref', { ref: i.ref })}
                    </Typography.Text>
                  </div>
                )}
              </>
            ),
          },
          {
            title: t('shown'),
            dataIndex: 'revealed',
            render: (r: boolean) => <ToneTag tone={r ? 'red' : 'grey'}>{r ? t('revealed') : t('masked')}</ToneTag>,
          },
          {
            title: t('route'),
            dataIndex: 'route',
            render: (r: string, i: AccessLogItem) => (
              <>
                <Typography.Text code style={{ whiteSpace: 'nowrap' }}>
                  {r}
                </Typography.Text>
                {i.requestId && (
                  <div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('requestId', { id: i.requestId })}
                    </Typography.Text>
                  </div>
                )}
              </>
            ),
          },
        ]}
      />
    </Card>
  );
}
