import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Descriptions, Form, Input, InputNumber, Modal, Radio, Select, Space, Table, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, download, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { feedback } from '../../components/feedback';
import { applyApiErrors, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime, formatYuan } from '../../i18n/format';
import { useLocale } from '../../i18n/locale';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { usePeople } from './hooks';
import { messages } from './messages';
import { StatusTag } from './StatusTag';
import type { Sanction, SanctionRules } from './types';

/**
 * /supervision/sanctions: the reward/penalty register (R-REWARD, R-PENALTY). The bands and grounds
 * come from GET /api/v1/sanctions/rules, the constants the register enforces.
 */
export default function SanctionsPage() {
  const t = useMessages(messages);
  const { can, user } = useSession();
  const qc = useQueryClient();
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [status, setStatus] = useState<Sanction['status'] | undefined>();
  const [proposing, setProposing] = useState(false);
  const [rejecting, setRejecting] = useState<Sanction | null>(null);
  const rules = useQuery({ queryKey: ['sanction-rules'], queryFn: () => unwrap(api.GET('/api/v1/sanctions/rules')), staleTime: 600_000 });
  const list = useQuery({
    queryKey: ['sanctions', status, page],
    queryFn: () => unwrap(api.GET('/api/v1/sanctions', { params: { query: { status, limit: page.pageSize, offset: (page.current - 1) * page.pageSize } } })),
  });
  // 409: another approver decided first (one wins): the message, and the register reloads.
  const reload = useReloadOnConflict(['sanctions']);
  const approve = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/sanctions/{id}/approve', { params: { path: { id: String(id) } }, body: {} })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['sanctions'] });
      feedback().message.success(t('approved'));
    },
    onError: (err) => showApiError(err, { reload }),
  });
  const groundText = useGroundText(rules.data);
  const mayApprove = can('sanction:approve');
  const tone = { pending: 'warn', approved: 'ok', rejected: 'neutral' } as const;
  return (
    <PageContainer
      title={t('sanctionsTitle')}
      description={t('sanctionsIntro')}
      extra={
        can('sanction:manage') && (
          <Button type="primary" onClick={() => setProposing(true)}>
            {t('propose')}
          </Button>
        )
      }
    >
      {rules.data && <RulesCard rules={rules.data} />}
      <Space style={{ margin: '16px 0 12px' }}>
        <Select
          allowClear
          aria-label={t('status')}
          placeholder={t('status')}
          style={{ width: 160 }}
          value={status}
          onChange={setStatus}
          options={(['pending', 'approved', 'rejected'] as const).map((s) => ({ value: s, label: t(`ss_${s}`) }))}
        />
      </Space>
      <Table<Sanction>
        rowKey="id"
        scroll={{ x: 1000 }}
        loading={list.isLoading}
        dataSource={list.data?.items}
        locale={{ emptyText: t('noSanctions') }}
        pagination={{ current: page.current, pageSize: page.pageSize, total: list.data?.total ?? 0, pageSizeOptions: [20, 50, 100], showSizeChanger: true, onChange: (current, pageSize) => setPage({ current, pageSize }) }}
        columns={[
          { title: t('type'), dataIndex: 'kind', render: (k: Sanction['kind']) => <StatusTag tone={k === 'reward' ? 'ok' : 'danger'}>{t(`sk_${k}`)}</StatusTag> },
          { title: t('person'), key: 'p', render: (_, s) => s.person.displayName ?? s.person.username ?? s.person.id },
          { title: t('grounds'), dataIndex: 'ground', render: (g: string) => groundText(g) },
          { title: t('source'), key: 's', render: (_, s) => s.source.label },
          { title: t('measures'), key: 'm', render: (_, s) => <Measures s={s} /> },
          { title: t('reason'), dataIndex: 'reason' },
          { title: t('status'), dataIndex: 'status', render: (x: Sanction['status']) => <StatusTag tone={tone[x]}>{t(`ss_${x}`)}</StatusTag> },
          { title: t('proposed'), key: 'pb', render: (_, s) => `${s.proposedBy.displayName ?? s.proposedBy.username ?? ''} ${formatDateTime(s.proposedAt)}` },
          {
            title: t('actions'),
            key: 'a',
            render: (_, s) => (
              <Space wrap>
                {mayApprove && s.status === 'pending' && s.proposedBy.id !== user.id && (
                  <>
                    <Button size="small" type="primary" onClick={() => approve.mutate(s.id)} aria-label={`${t('approve')} #${s.id}`}>
                      {t('approve')}
                    </Button>
                    <Button size="small" onClick={() => setRejecting(s)} aria-label={`${t('reject')} #${s.id}`}>
                      {t('reject')}
                    </Button>
                  </>
                )}
                {s.status === 'approved' && (
                  <Button size="small" onClick={() => void download(`/api/v1/sanctions/${s.id}/notice`).catch(showApiError)} aria-label={`${t('noticePdf')} #${s.id}`}>
                    {t('noticePdf')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      {proposing && rules.data && <Propose rules={rules.data} onClose={() => setProposing(false)} />}
      {rejecting && <Reject s={rejecting} onClose={() => setRejecting(null)} />}
    </PageContainer>
  );
}

function useGroundText(rules: SanctionRules | undefined) {
  const { locale } = useLocale();
  return (g: string) => {
    const r = rules?.grounds.find((x) => x.ground === g);
    return r ? `${locale === 'en' ? r.en : r.zh}（${r.rid}）` : g;
  };
}

function Measures({ s }: { s: Sanction }) {
  const t = useMessages(messages);
  const parts = [
    s.rewardAmount !== null && `${t('sk_reward')} ${formatYuan(s.rewardAmount)}`,
    s.fineAmount !== null && `${t('fine')} ${formatYuan(s.fineAmount)}`,
    s.dismissal && t('dismissal'),
    s.compensationAmount !== null && `${t('compensation')} ${formatYuan(s.compensationAmount)}`,
    s.judicialReferral && t('judicialReferral'),
  ].filter(Boolean);
  return <>{parts.join('；')}</>;
}

function RulesCard({ rules }: { rules: SanctionRules }) {
  const t = useMessages(messages);
  const { locale } = useLocale();
  return (
    <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('bands')}</h2>}>
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2 }}
        items={[
          { key: 'r', label: t('sk_reward'), children: t('rewardBand', { ...rules.rewardBand }) },
          { key: 'f', label: t('fine'), children: t('fineBand', { ...rules.fineBand }) },
          { key: 'g', label: t('grounds'), span: 2, children: rules.grounds.map((g) => `${t(`sk_${g.kind}`)}：${locale === 'en' ? g.en : g.zh}（${g.rid}）`).join('；') },
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('judicialRule')} {t('anonymousRule')}
      </Typography.Paragraph>
    </Card>
  );
}

type ProposeValues = { incidentId: number; userId: number; kind: 'reward' | 'penalty'; ground: string; amount?: number; fine?: number; dismissal?: boolean; compensation?: number; judicialReferral?: boolean; reason: string };

/** A proposal on a concluded incident (the register's other sources, findings and cases, are proposed from their own pages). */
function Propose({ rules, onClose }: { rules: SanctionRules; onClose: () => void }) {
  const t = useMessages(messages);
  const { locale } = useLocale();
  const qc = useQueryClient();
  const [form] = Form.useForm<ProposeValues>();
  const kind = Form.useWatch('kind', form) ?? 'penalty';
  const incidentId = Form.useWatch('incidentId', form);
  const incidents = useQuery({
    queryKey: ['incidents', 'concluded'],
    queryFn: () => unwrap(api.GET('/api/v1/incidents', { params: { query: { status: 'concluded', limit: 100, offset: 0 } } })),
  });
  const incident = incidents.data?.items.find((i) => i.id === incidentId);
  const people = usePeople(incident?.project ? `project:${incident.project}` : incident?.department ? `dept:${incident.department}` : null);
  const name = (id: number) => {
    const p = people.data?.find((x) => x.id === id);
    return p ? `${p.displayName} (${p.username})` : `#${id}`;
  };
  const candidates = kind === 'penalty' ? (incident?.responsibleUserIds ?? []) : (people.data ?? []).map((p) => p.id).filter((id) => !incident?.responsibleUserIds.includes(id));
  const reload = useReloadOnConflict(['sanctions']);
  const m = useMutation({
    mutationFn: ({ incidentId: id, ...v }: ProposeValues) =>
      unwrap(
        api.POST('/api/v1/sanctions', {
          body: {
            source: { type: 'incident', id },
            userId: v.userId,
            kind: v.kind,
            ground: v.ground as 'report',
            reason: v.reason,
            ...(v.kind === 'reward' ? { amount: v.amount } : { fine: v.fine ?? undefined, dismissal: v.dismissal || undefined, compensation: v.compensation ?? undefined, judicialReferral: v.judicialReferral || undefined }),
          },
        }),
      ),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['sanctions'] });
      feedback().message.success(t('proposed'));
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { fieldMap: { 'source.id': ['incidentId'] }, reload }),
  });
  return (
    <Modal open width={640} title={t('propose')} okText={t('propose')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={m.isPending}>
      <Form form={form} layout="vertical" initialValues={{ kind: 'penalty' }} onFinish={(v) => m.mutate(v)}>
        <Form.Item name="kind" label={t('type')}>
          <Radio.Group
            options={(['reward', 'penalty'] as const).map((k) => ({ value: k, label: t(`sk_${k}`) }))}
            onChange={() => form.setFieldsValue({ ground: undefined, userId: undefined })}
          />
        </Form.Item>
        <Form.Item name="incidentId" label={t('source')} rules={[{ required: true, message: t('required') }]}>
          <Select
            showSearch
            optionFilterProp="label"
            loading={incidents.isLoading}
            options={(incidents.data?.items ?? []).map((i) => ({ value: i.id, label: `#${i.id} ${t(`it_${i.type}`)} ${i.project ?? i.department ?? ''}` }))}
          />
        </Form.Item>
        <Form.Item name="userId" label={t('person')} rules={[{ required: true, message: t('required') }]}>
          <Select showSearch optionFilterProp="label" options={candidates.map((id) => ({ value: id, label: name(id) }))} />
        </Form.Item>
        <Form.Item name="ground" label={t('grounds')} rules={[{ required: true, message: t('required') }]}>
          <Select options={rules.grounds.filter((g) => g.kind === kind).map((g) => ({ value: g.ground, label: `${locale === 'en' ? g.en : g.zh}（${g.rid}）` }))} />
        </Form.Item>
        {kind === 'reward' ? (
          <Form.Item name="amount" label={t('amount')} extra={t('rewardBand', { ...rules.rewardBand })} rules={[{ required: true, message: t('required') }]}>
            <InputNumber min={rules.rewardBand.min} max={rules.rewardBand.max} precision={0} prefix="¥" />
          </Form.Item>
        ) : (
          <>
            <Form.Item name="fine" label={t('fine')} extra={t('fineBand', { ...rules.fineBand })}>
              <InputNumber min={rules.fineBand.min} max={rules.fineBand.max} precision={0} prefix="¥" />
            </Form.Item>
            <Form.Item name="compensation" label={t('compensation')}>
              <InputNumber min={1} max={rules.compensationMax} precision={0} prefix="¥" />
            </Form.Item>
            <Space>
              <Form.Item name="dismissal" valuePropName="checked">
                <Checkbox>{t('dismissal')}</Checkbox>
              </Form.Item>
              <Form.Item name="judicialReferral" valuePropName="checked">
                <Checkbox>{t('judicialReferral')}</Checkbox>
              </Form.Item>
            </Space>
            <Alert type="info" showIcon title={t('judicialRule')} style={{ marginBottom: 12 }} />
          </>
        )}
        <Form.Item name="reason" label={t('reason')} rules={[{ required: true, whitespace: true, min: 5, message: t('required') }]}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Reject({ s, onClose }: { s: Sanction; onClose: () => void }) {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const [form] = Form.useForm<{ reason: string }>();
  const reload = useReloadOnConflict(['sanctions']);
  const m = useMutation({
    mutationFn: (v: { reason: string }) => unwrap(api.POST('/api/v1/sanctions/{id}/reject', { params: { path: { id: String(s.id) } }, body: v })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['sanctions'] });
      feedback().message.success(t('decided'));
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal open title={`${t('reject')} #${s.id}`} okText={t('reject')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={m.isPending}>
      <Form form={form} layout="vertical" onFinish={(v) => m.mutate(v)}>
        <Form.Item name="reason" label={t('rejectReason')} rules={[{ required: true, whitespace: true, min: 3, message: t('required') }]}>
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
