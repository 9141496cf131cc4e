import { useQuery } from '@tanstack/react-query';
import { Card, Col, Descriptions, Row, Table, Timeline, Typography } from 'antd';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { CrashResult } from '../../components/ErrorBoundary';
import { FullPageSpin } from '../../components/FullPageSpin';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { formatDateTime, formatYuan } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { projectScopes, useProjects } from '../../shared/org';
import { CaseActions } from './CaseActions';
import { messages } from './messages';
import { CaseView, Countdown, label, ScrollRegion, StatusTag } from './shared';

const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

/** /cases/:id — one case (customer masked, text redacted: R-CASE-CONFIDENTIAL), its history and the steps the user may take. */
export default function CaseDetailPage() {
  const t = useMessages(messages);
  const { id } = useParams();
  const projects = useProjects();
  const q = useQuery({
    queryKey: ['cases', 'one', id],
    queryFn: () => unwrap(api.GET('/api/v1/cases/{id}', { params: { path: { id: id! } } })),
    enabled: !!id && /^\d+$/.test(id),
  });
  if (q.error) return <CrashResult error={q.error} />;
  if (!q.data) return <FullPageSpin />;
  const c: CaseView = q.data;
  const dept = projects.data?.find((p) => p.code === c.project)?.departmentCode;
  // Where the case is: its project, the project's department (and the company); once assigned, the responsible department.
  const scopes = [...projectScopes({ code: c.project, departmentCode: dept ?? null }), ...(c.department ? [`dept:${c.department}`] : [])];
  const none = t('none');

  return (
    <PageContainer
      title={t('caseTitle', { caseNo: c.caseNo })}
      breadcrumb={[{ title: t('deskTitle'), path: '/cases' }, { title: c.caseNo }]}
      description={<StatusTag status={c.status} t={t} />}
    >
      <Watermark>
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={16}>
            <Card title={h2(t('summary'))} style={{ marginBottom: 16 }}>
              <Descriptions
                size="small"
                column={{ xs: 1, sm: 1, md: 2 }}
                bordered
                items={[
                  { key: 'project', label: t('project'), children: c.project },
                  {
                    key: 'customer',
                    label: t('customer'),
                    children: c.customer ? `${c.customer.name} · ${c.customer.unit}${c.customer.phones[0] ? ` · ${c.customer.phones[0]}` : ''}` : t('customerDeleted'),
                  },
                  { key: 'type', label: t('type'), children: label(t, 'ty', c.type) },
                  { key: 'channel', label: t('channel'), children: label(t, 'ch', c.channel) },
                  { key: 'acceptedAt', label: t('acceptedAt'), children: formatDateTime(c.acceptedAt) },
                  { key: 'due', label: t('dueDate'), children: `${c.dueDate} (${c.deadlineDays})` },
                  { key: 'deadline', label: t('deadline'), children: <Countdown c={c} t={t} /> },
                  { key: 'request', label: t('request'), span: 'filled', children: <span style={{ whiteSpace: 'pre-wrap' }}>{c.request}</span> },
                  ...(c.notes ? [{ key: 'notes', label: t('notes'), span: 'filled' as const, children: c.notes }] : []),
                  { key: 'department', label: t('department'), children: c.department ?? none },
                  { key: 'cause', label: t('cause'), children: label(t, 'ca', c.cause) },
                  { key: 'findings', label: t('findings'), span: 'filled', children: c.findings ?? none },
                  { key: 'proposal', label: t('proposal'), children: label(t, 'pr', c.proposal) },
                  { key: 'amount', label: t('amount'), children: c.amount === null ? none : formatYuan(c.amount) },
                  ...(c.proposalNote ? [{ key: 'pn', label: t('proposalNote'), span: 'filled' as const, children: c.proposalNote }] : []),
                  { key: 'decidedAs', label: t('decidedAs'), children: c.decidedAs ?? none },
                  { key: 'decidedAt', label: t('decidedAt'), children: formatDateTime(c.decidedAt) || none },
                  ...(c.decisionNote ? [{ key: 'dn', label: t('decisionNote'), span: 'filled' as const, children: c.decisionNote }] : []),
                  { key: 'result', label: t('result'), span: 'filled', children: c.result ?? none },
                  { key: 'closedAt', label: t('closedAt'), children: formatDateTime(c.closedAt) || none },
                  ...(c.lateReason ? [{ key: 'lr', label: t('lateReason'), children: c.lateReason }] : []),
                  ...(c.reopenedFrom ? [{ key: 'rf', label: t('reopenedFrom'), children: <Link to={`/cases/${c.reopenedFrom.id}`}>{c.reopenedFrom.caseNo}</Link> }] : []),
                  ...(c.reopenedTo ? [{ key: 'rt', label: t('reopenedTo'), children: <Link to={`/cases/${c.reopenedTo.id}`}>{c.reopenedTo.caseNo}</Link> }] : []),
                ]}
              />
              {c.items.length > 0 && (
                <ScrollRegion label={t('items')}>
                <Table
                  style={{ marginTop: 16, minWidth: 500 }}
                  size="small"
                  pagination={false}
                  rowKey={(_r, i) => String(i)}
                  dataSource={c.items}
                  title={() => <Typography.Text strong>{t('items')}</Typography.Text>}
                  columns={[
                    { title: t('product'), dataIndex: 'product' },
                    { title: t('orderNo'), dataIndex: 'orderNo' },
                    { title: t('quantity'), dataIndex: 'quantity' },
                    { title: t('defectiveQuantity'), dataIndex: 'defectiveQuantity' },
                  ]}
                />
                </ScrollRegion>
              )}
              <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
                {t('redactedNote')}
              </Typography.Paragraph>
            </Card>
          </Col>
          <Col xs={24} xl={8}>
            <Card title={h2(t('actions'))} style={{ marginBottom: 16 }}>
              <CaseActions c={c} scopes={scopes} />
            </Card>
            <Card title={h2(t('timeline'))}>
              <Timeline
                items={(c.history ?? []).map((h, i) => ({
                  key: i,
                  color: h.step === 'returned' ? 'red' : h.step === 'closed' ? 'gray' : 'blue',
                  content: (
                    <div>
                      <Typography.Text strong>{label(t, 'sp', h.step)}</Typography.Text>
                      <div>
                        <Typography.Text type="secondary">
                          {formatDateTime(h.at)}
                          {h.byUsername ? ` · ${t('by')} ${h.byUsername}` : ''}
                        </Typography.Text>
                      </div>
                      {h.note && <div style={{ whiteSpace: 'pre-wrap' }}>{h.note}</div>}
                    </div>
                  ),
                }))}
              />
            </Card>
          </Col>
        </Row>
      </Watermark>
    </PageContainer>
  );
}
