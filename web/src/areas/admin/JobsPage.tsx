import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Drawer, Form, Input, Modal, Space, Table, Typography } from 'antd';
import { api, unwrapAs } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { applyApiErrors, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { ToneTag } from '../../shared/tone';
import { messages } from './messages';

/** GET /api/v1/jobs (src/jobs: the route declares no response schema yet; what this page reads). */
interface JobRun {
  id: number;
  period: string;
  status: string;
  trigger: string;
  attempts: number;
  startedAt: string;
  finishedAt: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
}
interface Job {
  name: string;
  description: string;
  cadence: 'daily' | 'monthly' | 'bimonthly';
  schedule: string;
  timezone: string;
  duePeriod: string;
  periodUnderWay: string | null;
  nextRunAt: string;
  lastRun: JobRun | null;
  runPermission: string;
}

function RunStatus({ run }: { run: JobRun | null }) {
  const t = useMessages(messages);
  if (!run) return <Typography.Text type="secondary">{t('neverRun')}</Typography.Text>;
  const tone = run.status === 'failed' ? 'red' : run.status === 'running' ? 'blue' : 'green';
  return (
    <Space size={4} wrap>
      <ToneTag tone={tone}>{run.status}</ToneTag>
      <span>{run.period}</span>
      <Typography.Text type="secondary">{formatDateTime(run.finishedAt ?? run.startedAt)}</Typography.Text>
    </Space>
  );
}

/** /admin/jobs — scheduled jobs: last run, next run, run one by hand for a period (R-IT-PERMS). */
export default function JobsPage() {
  const t = useMessages(messages);
  const [running, setRunning] = useState<Job | null>(null);
  const [runsOf, setRunsOf] = useState<Job | null>(null);
  const jobs = useQuery({ queryKey: ['admin', 'jobs'], queryFn: () => unwrapAs<Job[]>(api.GET('/api/v1/jobs')) });
  return (
    <PageContainer title={t('jobsTitle')} description={`${t('jobsIntro')} ${jobs.data?.[0] ? t('timezone', { zone: jobs.data[0].timezone }) : ''}`}>
      <Table<Job>
        rowKey="name"
        size="middle"
        loading={jobs.isLoading}
        dataSource={jobs.data}
        scroll={{ x: 'max-content' }}
        pagination={false}
        columns={[
          {
            title: t('job'),
            dataIndex: 'name',
            render: (n: string, j) => (
              <div style={{ maxWidth: 300, whiteSpace: 'normal' }}>
                <Typography.Text strong>{n}</Typography.Text>
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {j.description}
                  </Typography.Text>
                </div>
              </div>
            ),
          },
          { title: t('cadence'), dataIndex: 'cadence', render: (c: Job['cadence']) => t(`cadence_${c}`) },
          {
            title: t('schedule'),
            key: 's',
            render: (_: unknown, j) => (
              <span title={j.timezone}>
                <code>{j.schedule}</code>
              </span>
            ),
          },
          { title: t('duePeriod'), dataIndex: 'duePeriod' },
          { title: t('lastRun'), dataIndex: 'lastRun', render: (r: JobRun | null) => <RunStatus run={r} /> },
          { title: t('nextRun'), dataIndex: 'nextRunAt', render: (v: string) => formatDateTime(v) },
          {
            title: t('actions'),
            key: 'a',
            fixed: 'right',
            render: (_: unknown, j) => (
              <Space size={4}>
                <Button size="small" type="primary" onClick={() => setRunning(j)} aria-label={t('runJob', { name: j.name })}>
                  {t('run')}
                </Button>
                <Button size="small" onClick={() => setRunsOf(j)} aria-label={`${t('runs')} ${j.name}`}>
                  {t('runs')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <RunDialog job={running} onClose={() => setRunning(null)} />
      <Drawer open={!!runsOf} size="large" title={runsOf ? t('runsOf', { name: runsOf.name }) : ''} onClose={() => setRunsOf(null)} destroyOnHidden>
        {runsOf && <Runs name={runsOf.name} />}
      </Drawer>
    </PageContainer>
  );
}

function RunDialog({ job, onClose }: { job: Job | null; onClose: () => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ period?: string }>();
  // 409 (the job is running already, started by someone else or on schedule): the list shows its run.
  const reload = useReloadOnConflict(['admin', 'jobs']);
  const run = useMutation({
    mutationFn: (v: { period?: string }) =>
      unwrapAs<JobRun>(api.POST('/api/v1/jobs/{name}/run', { params: { path: { name: job!.name } }, body: v.period?.trim() ? { period: v.period.trim() } : {} })),
    onSuccess: (r) => {
      // A failing job is recorded, not thrown (src/jobs): the answer says so.
      if (r.status === 'failed') message.error(t('runFailed', { name: job!.name, period: r.period, error: r.error ?? '' }));
      else message.success(t('runDone', { name: job!.name, period: r.period }));
      void qc.invalidateQueries({ queryKey: ['admin', 'jobs'] });
      form.resetFields();
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal open={!!job} title={job ? t('runJob', { name: job.name }) : ''} onCancel={onClose} okText={t('run')} cancelText={t('cancel')} confirmLoading={run.isPending} onOk={() => form.submit()} forceRender>
      {job && (
        <Typography.Paragraph>
          {t('duePeriod')}: <code>{job.duePeriod}</code>
          {job.periodUnderWay && (
            <>
              {' · '}
              {t('periodUnderWay')}: <code>{job.periodUnderWay}</code>
            </>
          )}
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical" name="run-job" onFinish={(v) => run.mutate(v)}>
        <Form.Item name="period" label={t('period')} extra={t('periodHint')}>
          <Input placeholder={job?.duePeriod} autoComplete="off" maxLength={20} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Runs({ name }: { name: string }) {
  const t = useMessages(messages);
  const runs = useQuery({
    queryKey: ['admin', 'jobs', 'runs', name],
    queryFn: () => unwrapAs<JobRun[] | { items: JobRun[] }>(api.GET('/api/v1/jobs/{name}/runs', { params: { path: { name }, query: { limit: 50 } } })),
  });
  const items = Array.isArray(runs.data) ? runs.data : (runs.data?.items ?? []);
  return (
    <Table<JobRun>
      rowKey="id"
      size="small"
      loading={runs.isLoading}
      dataSource={items}
      scroll={{ x: 'max-content' }}
      pagination={false}
      columns={[
        { title: t('period'), dataIndex: 'period' },
        { title: t('runStatus'), dataIndex: 'status', render: (s: string) => <ToneTag tone={s === 'failed' ? 'red' : s === 'running' ? 'blue' : 'green'}>{s}</ToneTag> },
        { title: t('trigger'), dataIndex: 'trigger' },
        { title: t('attempts'), dataIndex: 'attempts' },
        { title: t('startedAt'), dataIndex: 'startedAt', render: (v: string) => formatDateTime(v) },
        { title: t('finishedAt'), dataIndex: 'finishedAt', render: (v: string | null) => formatDateTime(v) },
        {
          title: t('result'),
          key: 'r',
          render: (_: unknown, r) => (
            <Typography.Text style={{ fontSize: 12 }} type={r.error ? 'danger' : undefined}>
              {r.error ?? (r.result ? JSON.stringify(r.result) : '')}
            </Typography.Text>
          ),
        },
      ]}
    />
  );
}
