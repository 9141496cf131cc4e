import { useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Form, Input, Modal, Result, Row, Space, Spin, Table, Tag, Typography } from 'antd';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, download, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { feedback } from '../../components/feedback';
import { applyApiErrors, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useLocale } from '../../i18n/locale';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { STATUS_TONE } from './AssessmentsPage';
import { CellModal } from './CellModal';
import { HeatMap } from './HeatMap';
import { messages } from './messages';
import { RectificationsCard } from './RectificationsCard';
import { LEVEL_STYLE } from './risk';
import { StatusTag } from './StatusTag';
import type { Assessment, Indicator, RiskItem } from './types';

export const assessmentKey = (id: number) => ['assessment', id] as const;

/** /supervision/assessments/:id — one department's monthly risk self-assessment (R-RISK-MONTHLY). */
export default function AssessmentPage() {
  const t = useMessages(messages);
  const id = Number(useParams().id);
  const { can } = useSession();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: assessmentKey(id), queryFn: () => unwrap(api.GET('/api/v1/risk-assessments/{id}', { params: { path: { id: String(id) } } })) });
  const [cell, setCell] = useState<{ l: number; i: number } | null>(null);
  const [decision, setDecision] = useState<'review' | 'return' | null>(null);

  const a = q.data;
  const scope = a ? `dept:${a.department}` : undefined;
  const editable = !!a && a.status === 'draft' && can('risk_assessment:edit', scope);
  const reviewable = !!a && a.status === 'submitted' && can('risk_assessment:review', scope);
  const set = (next: Assessment) => qc.setQueryData(assessmentKey(id), next);
  const after = (text: string) => (next: Assessment) => {
    set(next);
    void qc.invalidateQueries({ queryKey: ['assessments'] });
    feedback().message.success(text);
  };
  // 409 (submitted or reviewed by someone else meanwhile): the message, and the assessment reloads.
  const reload = useReloadOnConflict(assessmentKey(id), ['assessments']);
  const onError = (err: unknown) => showApiError(err, { reload });
  const refresh = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/risk-assessments/{id}/refresh', { params: { path: { id: String(id) } } })), onSuccess: after(t('refreshed')), onError });
  const submit = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/risk-assessments/{id}/submit', { params: { path: { id: String(id) } } })), onSuccess: after(t('submitted')), onError });

  if (q.isLoading) return <Spin />;
  if (q.isError || !a) return <Result status="warning" title={q.error instanceof Error ? q.error.message : ''} />;

  const title = t('assessmentTitle', { department: `${a.department} ${a.departmentName}`, period: a.period });
  const dl = (format: 'pdf' | 'xlsx') => download(`/api/v1/risk-assessments/${id}/export?format=${format}`).catch(showApiError);

  return (
    <PageContainer
      title={title}
      description={
        <Space wrap>
          <StatusTag tone={STATUS_TONE[a.status]}>{t(`st_${a.status}`)}</StatusTag>
          <Typography.Text type="secondary">{t('indicatorsAsOf', { time: formatDateTime(a.indicatorsAsOf) })}</Typography.Text>
        </Space>
      }
      breadcrumb={[{ title: t('assessmentsTitle'), path: '/supervision/assessments' }, { title: `${a.department} ${a.period}` }]}
      extra={
        <>
          <Button onClick={() => void dl('pdf')}>{t('downloadPdf')}</Button>
          <Button onClick={() => void dl('xlsx')}>{t('downloadXlsx')}</Button>
          {editable && (
            <Button onClick={() => refresh.mutate()} loading={refresh.isPending}>
              {t('refresh')}
            </Button>
          )}
          {reviewable && <Button onClick={() => setDecision('return')}>{t('returnDraft')}</Button>}
          {reviewable && (
            <Button type="primary" onClick={() => setDecision('review')}>
              {t('review')}
            </Button>
          )}
          {editable && (
            <Button
              type="primary"
              loading={submit.isPending}
              onClick={() => feedback().modal.confirm({ title: t('submit'), content: t('submitConfirm'), okText: t('submit'), cancelText: t('cancel'), onOk: () => submit.mutateAsync() })}
            >
              {t('submit')}
            </Button>
          )}
        </>
      }
    >
      {!editable && a.status === 'draft' && <Alert type="info" showIcon title={t('readOnly')} style={{ marginBottom: 16 }} />}
      {a.returnReason && a.status === 'draft' && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={`${t('returned')}（${a.returnedBy ?? ''} ${formatDateTime(a.returnedAt)}）`} description={a.returnReason} />
      )}
      <Indicators a={a} />
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} xl={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('heatMap')}</h2>}>
            <Typography.Paragraph type="secondary">{t('heatMapIntro')}</Typography.Paragraph>
            <HeatMap matrix={a.matrix} onSelect={(l, i) => setCell({ l, i })} />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('riskItems')}</h2>}>
            <ItemsTable items={a.items} onOpen={(r) => setCell({ l: r.likelihood, i: r.impact })} />
          </Card>
        </Col>
      </Row>
      <RectificationsCard a={a} editable={editable} />
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('history')}</h2>} style={{ marginTop: 16 }}>
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2 }}
          items={[
            { key: 's', label: t('submittedBy'), children: a.submittedBy ? `${a.submittedBy} ${formatDateTime(a.submittedAt)}` : '—' },
            { key: 'r', label: t('reviewedBy'), children: a.reviewedBy ? `${a.reviewedBy} ${formatDateTime(a.reviewedAt)}` : '—' },
            { key: 'c', label: t('reviewComment'), children: a.reviewComment ?? '—' },
            { key: 'x', label: t('returnedBy'), children: a.returnedBy ? `${a.returnedBy} ${formatDateTime(a.returnedAt)}: ${a.returnReason ?? ''}` : '—' },
          ]}
        />
      </Card>
      {cell && <CellModal a={a} likelihood={cell.l} impact={cell.i} editable={editable} onClose={() => setCell(null)} />}
      {decision && <Decide id={id} kind={decision} onClose={() => setDecision(null)} onDone={after(decision === 'review' ? t('reviewed') : t('returned'))} />}
    </PageContainer>
  );
}

function ItemsTable({ items, onOpen }: { items: RiskItem[]; onOpen: (r: RiskItem) => void }) {
  const t = useMessages(messages);
  return (
    <Table<RiskItem>
      rowKey="id"
      size="small"
      pagination={false}
      scroll={{ x: 480 }}
      dataSource={items}
      locale={{ emptyText: t('noRiskItems') }}
      columns={[
        {
          title: t('riskDescription'),
          dataIndex: 'description',
          render: (d: string, r) => (
            <Button type="link" style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }} onClick={() => onOpen(r)}>
              {d}
            </Button>
          ),
        },
        { title: t('likelihood'), dataIndex: 'likelihood', align: 'right', width: 80 },
        { title: t('impact'), dataIndex: 'impact', align: 'right', width: 70 },
        { title: t('score'), dataIndex: 'score', align: 'right', width: 70 },
        { title: t('level'), dataIndex: 'level', width: 80, render: (l: RiskItem['level']) => <LevelTag level={l} /> },
      ]}
    />
  );
}

export function LevelTag({ level }: { level: RiskItem['level'] }) {
  const t = useMessages(messages);
  return (
    <Tag color={LEVEL_STYLE[level].tag} style={{ color: '#1f1f1f' }}>
      {t(`lv_${level}`)}
    </Tag>
  );
}

/** Indicators as cards, each with the same indicator of the department's previous two months beside it. */
function Indicators({ a }: { a: Assessment }) {
  const t = useMessages(messages);
  const { locale } = useLocale();
  const earlier = useQuery({
    queryKey: ['assessments', { department: a.department, earlier: a.period }],
    queryFn: () => unwrap(api.GET('/api/v1/risk-assessments', { params: { query: { department: a.department, limit: 24, offset: 0 } } })),
  });
  const previous = (earlier.data?.items ?? [])
    .filter((s) => s.period < a.period)
    .sort((x, y) => y.period.localeCompare(x.period))
    .slice(0, 2);
  const views = useQueries({
    queries: previous.map((s) => ({
      queryKey: ['assessment', s.id],
      queryFn: () => unwrap(api.GET('/api/v1/risk-assessments/{id}', { params: { path: { id: String(s.id) } } })),
      staleTime: 300_000,
    })),
  });
  const before = views.map((v) => v.data).filter((v): v is Assessment => !!v);
  const valueIn = (v: Assessment, key: string) => v.indicators.find((i) => i.key === key)?.value;
  return (
    <section aria-labelledby="sv-indicators">
      <Typography.Title level={2} id="sv-indicators" style={{ fontSize: 16 }}>
        {t('indicators')}
      </Typography.Title>
      <Row gutter={[12, 12]}>
        {a.indicators.map((ind: Indicator) => (
          <Col key={ind.key} xs={24} sm={12} lg={8} xxl={6}>
            <Card size="small" styles={{ body: { minHeight: 112 } }}>
              <Typography.Text strong>{locale === 'en' ? ind.labelEn : ind.labelZh}</Typography.Text>
              <div style={{ display: 'flex', alignItems: 'baseline', gap: 12, marginTop: 4 }}>
                <span style={{ fontSize: 26, fontWeight: 600, color: ind.value > 0 ? '#a8071a' : '#1f1f1f' }}>{ind.value}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('previousMonths')}:{' '}
                  {before.length ? before.map((v) => `${v.period} ${valueIn(v, ind.key) ?? '—'}`).join(' · ') : t('noPrevious')}
                </Typography.Text>
              </div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {ind.requirement}
              </Typography.Text>
            </Card>
          </Col>
        ))}
      </Row>
    </section>
  );
}

function Decide({ id, kind, onClose, onDone }: { id: number; kind: 'review' | 'return'; onClose: () => void; onDone: (a: Assessment) => void }) {
  const t = useMessages(messages);
  const [form] = Form.useForm<{ text: string }>();
  const field = kind === 'review' ? 'comment' : 'reason';
  const reload = useReloadOnConflict(assessmentKey(id), ['assessments']);
  const m = useMutation({
    mutationFn: (text: string) =>
      kind === 'review'
        ? unwrap(api.POST('/api/v1/risk-assessments/{id}/review', { params: { path: { id: String(id) } }, body: { comment: text } }))
        : unwrap(api.POST('/api/v1/risk-assessments/{id}/return', { params: { path: { id: String(id) } }, body: { reason: text } })),
    onSuccess: (a) => {
      onDone(a);
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { fieldMap: { [field]: ['text'] }, reload }),
  });
  return (
    <Modal open title={kind === 'review' ? t('review') : t('returnDraft')} okText={kind === 'review' ? t('review') : t('returnDraft')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={m.isPending}>
      <Form form={form} layout="vertical" onFinish={(v) => m.mutate(v.text)}>
        <Form.Item name="text" label={kind === 'review' ? t('reviewComment') : t('returnReason')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input.TextArea rows={4} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
