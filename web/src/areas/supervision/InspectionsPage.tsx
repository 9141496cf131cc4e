import { useState } from 'react';
import { Button, Form, Input, Modal, Select, Space, Table } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { applyApiErrors, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime, getCompanyTimeZone } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { useProjects } from './hooks';
import { messages } from './messages';
import { StatusTag } from './StatusTag';
import type { InspectionSummary } from './types';

const STATUSES = ['in_progress', 'completed'] as const;
const PERIOD = /^\d{4}-B[1-6]$/;

/** The two-month period under way in the company's zone: 2026-12 -> 2026-B6. */
export function currentBlock(): string {
  const now = dayjs().tz(getCompanyTimeZone());
  return `${now.year()}-B${Math.ceil((now.month() + 1) / 2)}`;
}

/** /supervision/inspections: the bimonthly project inspections (R-INSPECT). */
export default function InspectionsPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const navigate = useNavigate();
  const [filter, setFilter] = useState<{ project?: string; status?: (typeof STATUSES)[number]; period?: string }>({});
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [opening, setOpening] = useState(false);
  const projects = useProjects(can('inspection:read', '*'));
  const list = useQuery({
    queryKey: ['inspections', filter, page],
    queryFn: () => unwrap(api.GET('/api/v1/inspections', { params: { query: { ...filter, limit: page.pageSize, offset: (page.current - 1) * page.pageSize } } })),
  });
  const projectOptions = (projects.data ?? []).map((p) => ({ value: p.code, label: `${p.code} ${p.name}` }));
  const change = (f: Partial<typeof filter>) => {
    setFilter((x) => ({ ...x, ...f }));
    setPage((p) => ({ ...p, current: 1 }));
  };
  return (
    <PageContainer
      title={t('inspectionsTitle')}
      description={t('inspectionsIntro')}
      extra={
        can('inspection:create') && (
          <Button type="primary" onClick={() => setOpening(true)}>
            {t('openInspection')}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        {projectOptions.length > 0 && (
          <Select allowClear showSearch optionFilterProp="label" aria-label={t('project')} placeholder={t('project')} style={{ width: 220 }} options={projectOptions} value={filter.project} onChange={(project) => change({ project })} />
        )}
        <Input.Search
          aria-label={t('period')}
          placeholder="2026-B6"
          allowClear
          style={{ width: 160 }}
          onSearch={(v) => change({ period: PERIOD.test(v.trim()) ? v.trim() : undefined })}
        />
        <Select allowClear aria-label={t('status')} placeholder={t('status')} style={{ width: 140 }} options={STATUSES.map((s) => ({ value: s, label: t(`is_${s}`) }))} value={filter.status} onChange={(status) => change({ status })} />
      </Space>
      <Table<InspectionSummary>
        rowKey="id"
        scroll={{ x: 820 }}
        loading={list.isLoading}
        dataSource={list.data?.items}
        locale={{ emptyText: t('noInspections') }}
        pagination={{ current: page.current, pageSize: page.pageSize, total: list.data?.total ?? 0, pageSizeOptions: [20, 50, 100], showSizeChanger: true, onChange: (current, pageSize) => setPage({ current, pageSize }) }}
        columns={[
          { title: t('period'), dataIndex: 'period', width: 110, render: (p: string, r) => <Link to={`/supervision/inspections/${r.id}`}>{p}</Link> },
          { title: t('project'), key: 'p', render: (_, r) => `${r.project} ${r.projectName}` },
          { title: t('status'), dataIndex: 'status', render: (s: InspectionSummary['status']) => <StatusTag tone={s === 'completed' ? 'ok' : 'info'}>{t(`is_${s}`)}</StatusTag> },
          { title: t('results'), key: 'c', render: (_, r) => t('counts', { ...r.counts }) },
          {
            title: t('findings'),
            key: 'f',
            render: (_, r) => (
              <Space size={4} wrap>
                {r.findingCounts.majorHazard > 0 && <StatusTag tone="danger">{t('majorCount', { n: r.findingCounts.majorHazard })}</StatusTag>}
                {r.findingCounts.minor > 0 && <StatusTag tone="warn">{t('minorCount', { n: r.findingCounts.minor })}</StatusTag>}
              </Space>
            ),
          },
          { title: t('completedAt'), dataIndex: 'completedAt', render: (v: string | null) => formatDateTime(v) },
        ]}
      />
      {opening && <OpenInspection options={projectOptions} onClose={() => setOpening(false)} onOpened={(id) => navigate(`/supervision/inspections/${id}`)} />}
    </PageContainer>
  );
}

function OpenInspection({ options, onClose, onOpened }: { options: { value: string; label: string }[]; onClose: () => void; onOpened: (id: number) => void }) {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const [form] = Form.useForm<{ project: string; period: string }>();
  // 409: the block's inspection is open already (someone else opened it): the list shows it.
  const reload = useReloadOnConflict(['inspections']);
  const open = useMutation({
    mutationFn: (body: { project: string; period: string }) => unwrap(api.POST('/api/v1/inspections', { body })),
    onSuccess: (i) => {
      void qc.invalidateQueries({ queryKey: ['inspections'] });
      onOpened(i.id);
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal open title={t('openInspectionTitle')} okText={t('open')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={open.isPending}>
      <Form form={form} layout="vertical" initialValues={{ period: currentBlock() }} onFinish={(v) => open.mutate({ project: v.project, period: v.period.trim() })}>
        <Form.Item name="project" label={t('project')} rules={[{ required: true, message: t('required') }]}>
          <Select showSearch optionFilterProp="label" options={options} />
        </Form.Item>
        <Form.Item name="period" label={t('period')} extra={t('periodHelp')} rules={[{ required: true, message: t('required') }, { pattern: PERIOD, message: t('periodHelp') }]}>
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}
