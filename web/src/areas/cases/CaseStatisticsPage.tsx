import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Descriptions, Empty, Form, Row, Select, Table, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { api, download, unwrap } from '../../api/client';
import { CrashResult } from '../../components/ErrorBoundary';
import { feedback } from '../../components/feedback';
import { PageContainer } from '../../components/PageContainer';
import { showApiError } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { PAGE_SIZES } from '../../shared/table';
import { ToneTag } from '../../shared/tone';
import { messages } from './messages';
import { CaseStats, label, Msg, ScrollRegion } from './shared';

const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;
const ON_TIME = '#1677ff';
const LATE = '#cf1322';

/** One bar of a chart: its label, its full name (for the summary) and one number per series. */
interface Bar {
  label: string;
  name: string;
  values: number[];
}

/**
 * Horizontal (stacked) bars in plain SVG (no chart library): one row per bar, one colour per
 * series, the total at the end of the bar, and a legend when there is more than one series. For
 * screen readers the figure is one image whose name summarises every bar (`summary`); the same
 * numbers are in the table beside it.
 */
function BarChart({ title, bars, series, summary, t }: { title: string; bars: Bar[]; series: Array<{ name: string; color: string }>; summary: (b: Bar) => string; t: Msg }) {
  if (!bars.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noStats')} />;
  const max = Math.max(1, ...bars.map((b) => b.values.reduce((a, n) => a + n, 0)));
  const labelW = 130;
  const barW = 320;
  const rowH = 30;
  const legend = series.length > 1;
  const height = bars.length * rowH + (legend ? 30 : 4);
  return (
    <svg role="img" aria-label={`${title}: ${bars.map(summary).join('; ')}`} viewBox={`0 0 ${labelW + barW + 60} ${height}`} style={{ width: '100%', maxWidth: 560 }}>
      <title>{title}</title>
      {bars.map((b, i) => {
        const y = i * rowH + 4;
        let x = labelW;
        return (
          <g key={b.name}>
            <text x={0} y={y + 15} fontSize={12} fill="#262626">
              {b.label.length > 20 ? `${b.label.slice(0, 19)}…` : b.label}
            </text>
            {b.values.map((v, k) => {
              const w = (v / max) * barW;
              x += w;
              return <rect key={series[k].name} x={x - w} y={y} width={w} height={20} fill={series[k].color} />;
            })}
            <text x={x + 6} y={y + 15} fontSize={12} fill="#262626">
              {b.values.reduce((a, n) => a + n, 0)}
            </text>
          </g>
        );
      })}
      {legend && (
        <g transform={`translate(${labelW}, ${bars.length * rowH + 10})`}>
          {series.map((se, k) => (
            <g key={se.name} transform={`translate(${k * 90}, 0)`}>
              <rect width={12} height={12} fill={se.color} />
              <text x={16} y={11} fontSize={12} fill="#262626">
                {se.name}
              </text>
            </g>
          ))}
        </g>
      )}
    </svg>
  );
}

/** Closed cases per responsible department, on time and late stacked. */
function DepartmentChart({ s, t }: { s: CaseStats; t: Msg }) {
  const bars = s.byDepartment.map((d) => ({
    label: d.department ?? t('noDepartment'),
    name: d.department ? `${d.department}${d.departmentName ? ` ${d.departmentName}` : ''}` : t('noDepartment'),
    values: [d.onTime, d.late],
  }));
  return (
    <BarChart
      title={t('chartTitle')}
      bars={bars}
      series={[
        { name: t('legendOnTime'), color: ON_TIME },
        { name: t('legendLate'), color: LATE },
      ]}
      summary={(b) => t('chartDesc', { name: b.name, onTime: b.values[0], late: b.values[1] })}
      t={t}
    />
  );
}

/** Closed cases per type or per cause (R-CASE-STATS): one bar each, as in the table beside it. */
function CountChart({ title, data, prefix, t }: { title: string; data: Record<string, number>; prefix: 'ty' | 'ca'; t: Msg }) {
  const bars = Object.entries(data).map(([k, n]) => ({ label: label(t, prefix, k), name: label(t, prefix, k), values: [n] }));
  return <BarChart title={title} bars={bars} series={[{ name: t('count'), color: ON_TIME }]} summary={(b) => t('chartCountDesc', { name: b.name, n: b.values[0] })} t={t} />;
}

function Counts({ title, data, prefix, t }: { title: string; data: Record<string, number>; prefix: 'ty' | 'ca'; t: Msg }) {
  const rows = Object.entries(data).map(([k, n]) => ({ key: k, name: label(t, prefix, k), n }));
  return (
    <Table
      size="small"
      pagination={false}
      dataSource={rows}
      columns={[
        { title: title, dataIndex: 'name' },
        { title: t('count'), dataIndex: 'n', align: 'right' },
      ]}
    />
  );
}

/** /cases/statistics — the monthly case statistics (R-CASE-STATS): this month to date or a stored month, table, chart and exports. */
export default function CaseStatisticsPage() {
  const t = useMessages(messages);
  const [period, setPeriod] = useState('current');
  const months = useQuery({
    queryKey: ['cases', 'stats-list'],
    queryFn: () => unwrap(api.GET('/api/v1/case-statistics', { params: { query: { limit: 100, offset: 0 } } })),
  });
  const stats = useQuery({
    queryKey: ['cases', 'stats', period],
    queryFn: () => unwrap(api.GET('/api/v1/case-statistics/{period}', { params: { path: { period }, query: { format: 'json' } } })),
  });
  const exporting = useMutation({
    mutationFn: (format: 'xlsx' | 'pdf') => download(`/api/v1/case-statistics/${encodeURIComponent(period)}?format=${format}`),
    onSuccess: () => feedback().message.success(t('exported')),
    onError: (err) => showApiError(err),
  });
  const s = stats.data;
  const options = [{ value: 'current', label: t('currentMonth') }, ...(months.data?.items ?? []).map((m) => ({ value: m.period, label: m.period }))];

  return (
    <PageContainer
      title={t('statsTitle')}
      description={t('statsIntro')}
      extra={
        <>
          <Button icon={<DownloadOutlined />} disabled={!s} loading={exporting.isPending && exporting.variables === 'xlsx'} onClick={() => exporting.mutate('xlsx')}>
            {t('exportXlsx')}
          </Button>
          <Button icon={<DownloadOutlined />} disabled={!s} loading={exporting.isPending && exporting.variables === 'pdf'} onClick={() => exporting.mutate('pdf')}>
            {t('exportPdf')}
          </Button>
        </>
      }
    >
      <Form layout="inline" style={{ marginBottom: 16 }}>
        <Form.Item label={t('month')} htmlFor="case-stats-month">
          <Select id="case-stats-month" style={{ width: 220 }} value={period} options={options} onChange={setPeriod} loading={months.isLoading} />
        </Form.Item>
      </Form>
      {stats.error ? (
        <CrashResult error={stats.error} />
      ) : !s ? null : (
        <>
          <Descriptions
            size="small"
            bordered
            column={{ xs: 1, sm: 2, md: 3 }}
            style={{ marginBottom: 16 }}
            items={[
              { key: 'p', label: t('month'), children: <span>{s.period} <ToneTag tone={s.final ? 'green' : 'orange'}>{s.final ? t('final') : t('toDate')}</ToneTag></span> },
              { key: 'c', label: t('computedAt'), children: formatDateTime(s.computedAt) },
              { key: 'n', label: t('caseCount'), children: s.caseCount },
              { key: 'o', label: t('onTime'), children: s.onTime },
              { key: 'l', label: t('late'), children: s.late },
              { key: 'a', label: t('averageDays'), children: s.averageDays ?? t('none') },
            ]}
          />
          <Row gutter={[16, 16]}>
            <Col span={24}>
              <Card title={h2(t('byDepartment'))}>
                <Row gutter={[24, 16]} align="middle">
                  <Col xs={24} xl={10}>
                    <DepartmentChart s={s} t={t} />
                  </Col>
                  <Col xs={24} xl={14}>
                    <ScrollRegion label={t('byDepartment')}>
                      <Table
                        style={{ minWidth: 480 }}
                        size="small"
                        pagination={false}
                        rowKey={(r) => r.department ?? '-'}
                        dataSource={s.byDepartment}
                        columns={[
                          { title: t('department'), key: 'd', render: (_: unknown, r) => (r.department ? `${r.department} ${r.departmentName ?? ''}` : t('noDepartment')) },
                          { title: t('caseCount'), dataIndex: 'cases', align: 'right' },
                          { title: t('onTime'), dataIndex: 'onTime', align: 'right' },
                          { title: t('late'), dataIndex: 'late', align: 'right' },
                          { title: t('averageDays'), dataIndex: 'averageDays', align: 'right' },
                        ]}
                      />
                    </ScrollRegion>
                  </Col>
                </Row>
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card title={h2(t('byType'))}>
                <CountChart title={t('chartTypeTitle')} data={s.byType} prefix="ty" t={t} />
                <Counts title={t('type')} data={s.byType} prefix="ty" t={t} />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card title={h2(t('byCause'))}>
                <CountChart title={t('chartCauseTitle')} data={s.byCause} prefix="ca" t={t} />
                <Counts title={t('cause')} data={s.byCause} prefix="ca" t={t} />
              </Card>
            </Col>
            <Col span={24}>
              <Card title={h2(t('closedCases'))}>
                <ScrollRegion label={t('closedCases')}>
                <Table
                  style={{ minWidth: 900 }}
                  size="small"
                  rowKey="caseNo"
                  dataSource={s.cases}
                  pagination={{ pageSize: 20, showSizeChanger: true, pageSizeOptions: PAGE_SIZES }}
                  locale={{ emptyText: t('noStats') }}
                  columns={[
                    { title: t('caseNo'), dataIndex: 'caseNo' },
                    { title: t('project'), dataIndex: 'project' },
                    { title: t('type'), dataIndex: 'type', render: (v: string) => label(t, 'ty', v) },
                    { title: t('cause'), dataIndex: 'cause', render: (v: string | null) => label(t, 'ca', v) },
                    { title: t('department'), dataIndex: 'department', render: (v: string | null) => v ?? t('noDepartment') },
                    { title: t('proposal'), dataIndex: 'proposal', render: (v: string | null) => label(t, 'pr', v) },
                    { title: t('acceptedAt'), dataIndex: 'acceptedAt', render: (v: string) => formatDateTime(v) },
                    { title: t('closedOn'), dataIndex: 'closedAt', render: (v: string) => formatDateTime(v) },
                    { title: t('days'), dataIndex: 'days', align: 'right' },
                    {
                      title: t('late'),
                      dataIndex: 'late',
                      render: (v: boolean) => (v ? <Typography.Text type="danger">{t('overdue')}</Typography.Text> : t('onTime')),
                    },
                  ]}
                />
                </ScrollRegion>
              </Card>
            </Col>
          </Row>
        </>
      )}
    </PageContainer>
  );
}
