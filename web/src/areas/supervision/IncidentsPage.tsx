import { useState } from 'react';
import { Button, Card, Checkbox, Form, Input, Modal, Select, Space, Table, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { feedback } from '../../components/feedback';
import { applyApiErrors, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { usePeople, useProjects } from './hooks';
import { messages } from './messages';
import { StatusTag } from './StatusTag';
import { INCIDENT_TYPES, type Incident, type IncidentType } from './types';

/**
 * /supervision/incidents: any user reports a suspected leak or illegal acquisition, anonymously if
 * they wish (R-REWARD, R-PENALTY); the quality department investigates and concludes.
 */
export default function IncidentsPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const [reporting, setReporting] = useState(false);
  return (
    <PageContainer
      title={t('incidentsTitle')}
      description={t('incidentsIntro')}
      extra={
        <Button type="primary" danger onClick={() => setReporting(true)}>
          {t('report_')}
        </Button>
      }
    >
      {can('incident:read') ? (
        // Reports may quote customers or name colleagues: the viewer's watermark over the list.
        <Watermark>
          <IncidentList />
        </Watermark>
      ) : (
        <Typography.Paragraph>{t('anonymousRule')}</Typography.Paragraph>
      )}
      {reporting && <ReportIncident onClose={() => setReporting(false)} />}
    </PageContainer>
  );
}

function IncidentList() {
  const t = useMessages(messages);
  const { can } = useSession();
  const qc = useQueryClient();
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [status, setStatus] = useState<Incident['status'] | undefined>();
  const [concluding, setConcluding] = useState<Incident | null>(null);
  const list = useQuery({
    queryKey: ['incidents', status, page],
    queryFn: () => unwrap(api.GET('/api/v1/incidents', { params: { query: { status, limit: page.pageSize, offset: (page.current - 1) * page.pageSize } } })),
  });
  const reload = useReloadOnConflict(['incidents']);
  const investigate = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/incidents/{id}/investigate', { params: { path: { id: String(id) } }, body: {} })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['incidents'] });
      feedback().message.success(t('investigating'));
    },
    onError: (err) => showApiError(err, { reload }),
  });
  const manage = can('incident:manage');
  const tone = { reported: 'warn', investigating: 'info', concluded: 'ok' } as const;
  return (
    <Card>
      <Space style={{ marginBottom: 12 }}>
        <Select
          allowClear
          aria-label={t('status')}
          placeholder={t('status')}
          style={{ width: 160 }}
          value={status}
          onChange={setStatus}
          options={(['reported', 'investigating', 'concluded'] as const).map((s) => ({ value: s, label: t(`ins_${s}`) }))}
        />
      </Space>
      <Table<Incident>
        rowKey="id"
        scroll={{ x: 900 }}
        loading={list.isLoading}
        dataSource={list.data?.items}
        locale={{ emptyText: t('noIncidents') }}
        pagination={{ current: page.current, pageSize: page.pageSize, total: list.data?.total ?? 0, pageSizeOptions: [20, 50, 100], showSizeChanger: true, onChange: (current, pageSize) => setPage({ current, pageSize }) }}
        columns={[
          { title: '#', dataIndex: 'id', width: 60 },
          { title: t('type'), dataIndex: 'type', render: (x: IncidentType) => t(`it_${x}`) },
          { title: t('status'), dataIndex: 'status', render: (s: Incident['status']) => <StatusTag tone={tone[s]}>{t(`ins_${s}`)}</StatusTag> },
          { title: t('project'), key: 'p', render: (_, i) => i.project ?? i.department ?? '' },
          { title: t('description'), dataIndex: 'description', render: (d: string) => <Typography.Paragraph ellipsis={{ rows: 2, expandable: true }} style={{ margin: 0 }}>{d}</Typography.Paragraph> },
          { title: t('reporter'), key: 'r', render: (_, i) => (i.anonymous ? t('anonymousReporter') : (i.reporterId ?? '')) },
          { title: t('reportedAt'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v) },
          { title: t('conclusionText'), dataIndex: 'findings', render: (f: string | null) => f ?? '' },
          ...(manage
            ? [
                {
                  title: t('actions'),
                  key: 'a',
                  render: (_: unknown, i: Incident) =>
                    i.status === 'reported' ? (
                      <Button size="small" onClick={() => investigate.mutate(i.id)} aria-label={`${t('investigate')} #${i.id}`}>
                        {t('investigate')}
                      </Button>
                    ) : i.status === 'investigating' ? (
                      <Button size="small" onClick={() => setConcluding(i)} aria-label={`${t('conclude')} #${i.id}`}>
                        {t('conclude')}
                      </Button>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
      {concluding && <Conclude incident={concluding} onClose={() => setConcluding(null)} />}
    </Card>
  );
}

type ReportValues = { type: IncidentType; description: string; project?: string; anonymous: boolean };

function ReportIncident({ onClose }: { onClose: () => void }) {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const [form] = Form.useForm<ReportValues>();
  const projects = useProjects();
  const report = useMutation({
    mutationFn: (body: ReportValues) => unwrap(api.POST('/api/v1/incidents', { body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['incidents'] });
      feedback().message.success(t('reportSent'));
      onClose();
    },
    onError: (err) => applyApiErrors(form, err),
  });
  return (
    <Modal open title={t('report_')} okText={t('report_')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={report.isPending}>
      <Form form={form} layout="vertical" initialValues={{ type: 'negligent_leak', anonymous: false }} onFinish={(v) => report.mutate(v)}>
        <Form.Item name="type" label={t('type')}>
          <Select options={INCIDENT_TYPES.map((x) => ({ value: x, label: t(`it_${x}`) }))} />
        </Form.Item>
        <Form.Item name="project" label={t('project')}>
          <Select allowClear showSearch optionFilterProp="label" options={(projects.data ?? []).map((p) => ({ value: p.code, label: `${p.code} ${p.name}` }))} />
        </Form.Item>
        <Form.Item name="description" label={t('incidentDescription')} rules={[{ required: true, whitespace: true, min: 10, message: t('incidentDescription') }]}>
          <Input.TextArea rows={5} maxLength={4000} />
        </Form.Item>
        <Form.Item name="anonymous" valuePropName="checked">
          <Checkbox>{t('anonymous')}</Checkbox>
        </Form.Item>
        <Typography.Text type="secondary">{t('anonymousRule')}</Typography.Text>
      </Form>
    </Modal>
  );
}

function Conclude({ incident, onClose }: { incident: Incident; onClose: () => void }) {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const [form] = Form.useForm<{ findings: string; responsibleUserIds: number[] }>();
  const scope = incident.project ? `project:${incident.project}` : incident.department ? `dept:${incident.department}` : null;
  const people = usePeople(scope);
  const reload = useReloadOnConflict(['incidents']);
  const m = useMutation({
    mutationFn: (body: { findings: string; responsibleUserIds: number[] }) =>
      unwrap(api.POST('/api/v1/incidents/{id}/conclude', { params: { path: { id: String(incident.id) } }, body: { ...body, responsibleUserIds: body.responsibleUserIds ?? [] } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['incidents'] });
      feedback().message.success(t('concluded'));
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal open title={`${t('conclude')} #${incident.id}`} okText={t('conclude')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={m.isPending}>
      <Form form={form} layout="vertical" initialValues={{ responsibleUserIds: [] }} onFinish={(v) => m.mutate(v)}>
        <Form.Item name="findings" label={t('conclusionText')} rules={[{ required: true, whitespace: true, min: 10, message: t('required') }]}>
          <Input.TextArea rows={4} maxLength={4000} />
        </Form.Item>
        <Form.Item name="responsibleUserIds" label={t('responsible')}>
          <Select mode="multiple" showSearch optionFilterProp="label" loading={people.isLoading} options={(people.data ?? []).map((p) => ({ value: p.id, label: `${p.displayName} (${p.username})` }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
