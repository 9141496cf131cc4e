import { useEffect, useRef, useState } from 'react';
import { Alert, App, AutoComplete, Button, Card, Col, DatePicker, Form, Input, Row, Select, Space, Table, Tooltip, Typography } from 'antd';
import { DownloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Dayjs } from 'dayjs';
import { api, download, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { applyApiErrors, showApiError } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { personLabel } from '../../shared/people';
import { serverPagination } from '../../shared/table';
import { DecisionTag, EventDrawer, type AuditEvent } from './EventDrawer';
import { KNOWN_ACTIONS, KNOWN_OBJECT_TYPES } from './known';
import { messages } from './messages';

interface FilterValues {
  actor?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  scope?: string;
  decision?: 'allow' | 'deny';
  period?: [Dayjs | null, Dayjs | null] | null;
}

/** The query the list, the export and the filters share (empty fields left out). */
type Filters = { actor?: string; action?: string; objectType?: string; objectId?: string; scope?: string; decision?: 'allow' | 'deny'; from?: string; to?: string };

function toFilters(v: FilterValues): Filters {
  const f: Filters = {};
  for (const k of ['actor', 'action', 'objectType', 'objectId', 'scope'] as const) {
    const s = v[k]?.trim();
    if (s) f[k] = s;
  }
  if (v.decision) f.decision = v.decision;
  if (v.period?.[0]) f.from = v.period[0].toISOString();
  if (v.period?.[1]) f.to = v.period[1].toISOString();
  return f;
}

const suggest = (list: string[], typed: string | undefined) =>
  list.filter((a) => !typed || a.includes(typed.trim())).slice(0, 50).map((value) => ({ value }));

/**
 * /audit — the trail (R-AUDIT): filters, server paging, an event's before/after side by side,
 * verification of the hash chain shown plainly, CSV export with the same filters.
 */
export default function AuditPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm<FilterValues>();
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [open, setOpen] = useState<AuditEvent | null>(null);
  const [actorQ, setActorQ] = useState('');
  const action = Form.useWatch('action', form);
  const objectType = Form.useWatch('objectType', form);
  const [verifying, setVerifying] = useState(false);
  const [verified, setVerified] = useState<Awaited<ReturnType<typeof verifyChain>> | null>(null);
  const [exporting, setExporting] = useState(false);

  // Numbered pages, read by key where the page before was shown (issue 14 §3): its nextCursor says
  // where the next page starts, so walking on through a large trail reads an index range instead
  // of counting past every newer event (OFFSET). A page jumped to directly is read by offset.
  const cursors = useRef(new Map<string, number>());
  const list = useQuery({
    queryKey: ['audit', filters, page.current, page.pageSize],
    placeholderData: keepPreviousData,
    queryFn: async () => {
      const cursor = cursors.current.get(pageKey(filters, page.pageSize, page.current));
      const at = cursor === undefined ? { offset: (page.current - 1) * page.pageSize } : { cursor };
      const r = await unwrap(api.GET('/api/v1/audit', { params: { query: { ...filters, limit: page.pageSize, ...at } } }));
      if (r.nextCursor !== null) cursors.current.set(pageKey(filters, page.pageSize, page.current + 1), r.nextCursor);
      return r;
    },
    retry: false,
  });
  // A refused filter (400) shows beside its field; anything else as a message.
  useEffect(() => {
    if (list.error) applyApiErrors(form, list.error, { fieldMap: { from: ['period'], to: ['period'] } });
  }, [list.error, form]);

  const mayPickUsers = can('user:read');
  const users = useQuery({
    queryKey: ['audit', 'actors', actorQ],
    enabled: mayPickUsers,
    placeholderData: keepPreviousData,
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query: { q: actorQ || undefined, limit: 20, offset: 0 } } })).then((r) => r.items),
    staleTime: 60_000,
  });

  const apply = (v: FilterValues) => {
    setFilters(toFilters(v));
    setPage((p) => ({ ...p, current: 1 }));
  };

  // quick: from the latest signed digest on (issue 14 §3), for a look between the nightly full checks.
  const runVerify = async (quick: boolean) => {
    setVerifying(true);
    setVerified(null);
    try {
      setVerified(await verifyChain(quick));
    } catch (err) {
      showApiError(err);
    } finally {
      setVerifying(false);
    }
  };

  const [signing, setSigning] = useState(false);
  const runSign = async () => {
    setSigning(true);
    try {
      const d = await signDigest();
      message.success(t('digestSigned', { number: d.number, seq: d.toSeq }));
    } catch (err) {
      showApiError(err);
    } finally {
      setSigning(false);
    }
  };

  const runExport = async () => {
    setExporting(true);
    try {
      const q = new URLSearchParams(filters as Record<string, string>);
      await download(`/api/v1/audit/export${q.size ? `?${q.toString()}` : ''}`, { fileName: 'audit.csv' });
      message.success(t('exportDone'));
    } catch (err) {
      showApiError(err);
    } finally {
      setExporting(false);
    }
  };

  // Events may name a customer (an update's before/after): watermarked like every page with customer data.
  return (
    <Watermark>
      <PageContainer
        title={t('title')}
        description={t('intro')}
        extra={
          <>
            {can('audit:verify') && (
              <Button icon={<SafetyCertificateOutlined />} onClick={() => runVerify(false)} loading={verifying}>
                {verifying ? t('verifying') : t('verify')}
              </Button>
            )}
            {can('audit:verify') && (
              <Tooltip title={t('verifyQuickHint')}>
                <Button onClick={() => runVerify(true)} disabled={verifying}>
                  {t('verifyQuick')}
                </Button>
              </Tooltip>
            )}
            {can('audit:verify') && (
              <Button icon={<SafetyCertificateOutlined />} onClick={runSign} loading={signing}>
                {t('signDigest')}
              </Button>
            )}
            {can('audit:export') && (
              <Button icon={<DownloadOutlined />} onClick={runExport} loading={exporting}>
                {t('export')}
              </Button>
            )}
          </>
        }
      >
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          {verified && (
            <Alert
              role="status"
              showIcon
              closable
              onClose={() => setVerified(null)}
              type={verified.ok ? 'success' : 'error'}
              title={
                !verified.ok
                  ? t('verifyBroken', { seq: verified.brokenAtSeq })
                  : verified.resumedAfterSeq
                    ? t('verifyQuickOk', { count: verified.count, from: verified.resumedAfterSeq })
                    : t('verifyOk', { count: verified.count })
              }
              description={
                verified.ok ? (
                  <>
                    <Typography.Paragraph style={{ wordBreak: 'break-all', marginBottom: 4 }}>{t('verifyOkDetail', { seq: verified.headSeq, hash: verified.headHash })}</Typography.Paragraph>
                    {verified.coverage && (
                      <Typography.Paragraph style={{ marginBottom: 0 }}>
                        {verified.coverage.latestNumber === null
                          ? t('coverageNone')
                          : t('coverage', {
                              digests: verified.coverage.digests,
                              number: verified.coverage.latestNumber,
                              at: verified.coverage.latestAt ? formatDateTime(verified.coverage.latestAt) : '—',
                              seq: verified.coverage.coveredToSeq,
                              uncovered: verified.coverage.uncovered,
                            })}
                      </Typography.Paragraph>
                    )}
                  </>
                ) : (
                  t('verifyBrokenDetail', { reason: verified.reason, count: verified.count })
                )
              }
            />
          )}
          <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('filters')}</h2>}>
            <Form form={form} layout="vertical" onFinish={apply} autoComplete="off">
              <Row gutter={16}>
                <Col xs={24} sm={12} lg={6}>
                  <Form.Item name="actor" label={t('actor')}>
                    {mayPickUsers ? (
                      <Select
                        showSearch={{ filterOption: false, onSearch: setActorQ }}
                        allowClear
                        placeholder={t('actorPlaceholder')}
                        loading={users.isFetching}
                        options={(users.data ?? []).map((u) => ({ value: u.username, label: personLabel(u) }))}
                      />
                    ) : (
                      <Input allowClear />
                    )}
                  </Form.Item>
                </Col>
                <Col xs={24} sm={12} lg={6}>
                  <Form.Item name="action" label={t('action')}>
                    <AutoComplete allowClear options={suggest(KNOWN_ACTIONS, action)} />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={12} lg={6}>
                  <Form.Item name="objectType" label={t('objectType')}>
                    <AutoComplete allowClear options={suggest(KNOWN_OBJECT_TYPES, objectType)} />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={12} lg={6}>
                  <Form.Item name="objectId" label={t('objectId')} rules={[{ max: 120 }]}>
                    <Input allowClear />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={12} lg={6}>
                  <Form.Item name="scope" label={t('scope')} extra={t('scopeHint')} rules={[{ max: 120 }]}>
                    <Input allowClear />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={12} lg={6}>
                  <Form.Item name="decision" label={t('decision')}>
                    <Select
                      allowClear
                      options={[
                        { value: 'allow', label: t('allow') },
                        { value: 'deny', label: t('deny') },
                      ]}
                    />
                  </Form.Item>
                </Col>
                <Col xs={24} lg={12}>
                  <Form.Item name="period" label={t('period')}>
                    <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" allowEmpty={[true, true]} placeholder={[t('from'), t('to')]} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
              </Row>
              <Space>
                <Button type="primary" htmlType="submit">
                  {t('apply')}
                </Button>
                <Button
                  onClick={() => {
                    form.resetFields();
                    apply({});
                  }}
                >
                  {t('reset')}
                </Button>
              </Space>
            </Form>
          </Card>
          <Table<AuditEvent>
            rowKey="seq"
            size="middle"
            scroll={{ x: 1200 }}
            loading={list.isFetching}
            dataSource={list.data?.items ?? []}
            pagination={serverPagination(page, setPage, list.data?.total, (total) => t('total', { total }))}
            columns={[
              { title: t('seq'), dataIndex: 'seq', width: 80 },
              { title: t('at'), dataIndex: 'at', width: 150, render: (v: string) => formatDateTime(v) },
              { title: t('actor'), dataIndex: 'actorName', render: (v: string | null) => v ?? t('system') },
              {
                title: t('action'),
                dataIndex: 'action',
                width: 210,
                render: (v: string) => <Typography.Text code>{breakAfter(v, '.')}</Typography.Text>,
              },
              { title: t('object'), key: 'object', render: (_: unknown, e: AuditEvent) => [e.objectType, e.objectId].filter(Boolean).join(' #') },
              { title: t('scope'), dataIndex: 'scope', width: 170, render: (v: string | null) => breakAfter(v ?? '', ':') },
              {
                title: t('decision'),
                dataIndex: 'decision',
                render: (v: AuditEvent['decision']) => (v ? <DecisionTag decision={v} /> : ''),
              },
              { title: t('reason'), dataIndex: 'reason', ellipsis: true, render: (v: string | null) => v ?? '' },
              {
                title: t('details'),
                key: 'open',
                fixed: 'right' as const,
                width: 90,
                render: (_: unknown, e: AuditEvent) => (
                  <Button type="link" size="small" onClick={() => setOpen(e)} aria-label={t('openNamed', { seq: e.seq })}>
                    {t('open')}
                  </Button>
                ),
              },
            ]}
          />
        </Space>
        <EventDrawer event={open} onClose={() => setOpen(null)} />
      </PageContainer>
    </Watermark>
  );
}

/**
 * `text` allowed to wrap after each `sep` and nowhere else (an action after its dot, a scope after
 * its colon): the table's layout is fixed (scroll.x), and a code that cannot wrap runs into the
 * next column.
 */
const breakAfter = (text: string, sep: string) => text.split(sep).flatMap((part, i) => (i === 0 ? [part] : [sep, <wbr key={i} />, part]));

/** Where page `n` of a listing (its filters, its page size) starts, once the page before it was read. */
const pageKey = (filters: Filters, pageSize: number, n: number) => JSON.stringify([filters, pageSize, n]);

/** Also against the signed digests outside the database (R-AUDIT): a rewrite with recomputed hashes shows too. */
function verifyChain(quick: boolean) {
  return unwrap(api.GET('/api/v1/audit/verify', { params: { query: { digests: 'true', ...(quick ? { resume: 'true' as const } : {}) } } }));
}

function signDigest() {
  return unwrap(api.POST('/api/v1/audit/digests', { body: {} }));
}
