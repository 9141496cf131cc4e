import { useState } from 'react';
import { Button, DatePicker, Form, Modal, Select, Space, Table } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { applyApiErrors, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime, getCompanyTimeZone } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { useDepartments } from './hooks';
import { messages } from './messages';
import { StatusTag } from './StatusTag';
import type { AssessmentSummary } from './types';

const STATUSES = ['draft', 'submitted', 'reviewed'] as const;
export const STATUS_TONE = { draft: 'neutral', submitted: 'info', reviewed: 'ok' } as const;

/** /supervision/assessments: the monthly risk self-assessments the user may read (R-RISK-MONTHLY). */
export default function AssessmentsPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const navigate = useNavigate();
  const [filter, setFilter] = useState<{ department?: string; status?: (typeof STATUSES)[number]; period?: string }>({});
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [opening, setOpening] = useState(false);
  const companyWide = can('risk_assessment:read', '*');
  const departments = useDepartments(companyWide || can('risk_assessment:create'));
  const list = useQuery({
    queryKey: ['assessments', filter, page],
    queryFn: () =>
      unwrap(api.GET('/api/v1/risk-assessments', { params: { query: { ...filter, limit: page.pageSize, offset: (page.current - 1) * page.pageSize } } })),
  });
  const deptOptions = (departments.data ?? []).map((d) => ({ value: d.code, label: `${d.code} ${d.name}` }));

  return (
    <PageContainer
      title={t('assessmentsTitle')}
      description={t('assessmentsIntro')}
      extra={
        can('risk_assessment:create') && (
          <Button type="primary" onClick={() => setOpening(true)}>
            {t('openAssessment')}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        {deptOptions.length > 0 && (
          <Select
            allowClear
            aria-label={t('department')}
            placeholder={t('department')}
            style={{ width: 200 }}
            options={deptOptions}
            value={filter.department}
            onChange={(department) => {
              setFilter((f) => ({ ...f, department }));
              setPage((p) => ({ ...p, current: 1 }));
            }}
          />
        )}
        <DatePicker
          picker="month"
          aria-label={t('month')}
          placeholder={t('month')}
          value={filter.period ? dayjs(`${filter.period}-01`) : null}
          onChange={(d: Dayjs | null) => {
            setFilter((f) => ({ ...f, period: d ? d.format('YYYY-MM') : undefined }));
            setPage((p) => ({ ...p, current: 1 }));
          }}
        />
        <Select
          allowClear
          aria-label={t('status')}
          placeholder={t('status')}
          style={{ width: 140 }}
          options={STATUSES.map((s) => ({ value: s, label: t(`st_${s}`) }))}
          value={filter.status}
          onChange={(status) => {
            setFilter((f) => ({ ...f, status }));
            setPage((p) => ({ ...p, current: 1 }));
          }}
        />
      </Space>
      <Table<AssessmentSummary>
        rowKey="id"
        size="middle"
        scroll={{ x: 760 }}
        loading={list.isLoading}
        dataSource={list.data?.items}
        locale={{ emptyText: t('noAssessments') }}
        pagination={{
          current: page.current,
          pageSize: page.pageSize,
          total: list.data?.total ?? 0,
          pageSizeOptions: [20, 50, 100],
          showSizeChanger: true,
          onChange: (current, pageSize) => setPage({ current, pageSize }),
        }}
        columns={[
          { title: t('period'), dataIndex: 'period', width: 110, render: (p: string, r) => <Link to={`/supervision/assessments/${r.id}`}>{p}</Link> },
          { title: t('department'), key: 'dept', render: (_, r) => `${r.department} ${r.departmentName}` },
          { title: t('status'), dataIndex: 'status', render: (s: AssessmentSummary['status']) => <StatusTag tone={STATUS_TONE[s]}>{t(`st_${s}`)}</StatusTag> },
          { title: t('itemCount'), dataIndex: 'itemCount', align: 'right' },
          { title: t('submittedAt'), dataIndex: 'submittedAt', render: (v: string | null) => formatDateTime(v) },
          { title: t('reviewedAt'), dataIndex: 'reviewedAt', render: (v: string | null) => formatDateTime(v) },
          {
            title: t('actions'),
            key: 'a',
            render: (_, r) => (
              <Link to={`/supervision/assessments/${r.id}`} aria-label={`${t('open')} ${r.department} ${r.period}`}>
                {t('open')}
              </Link>
            ),
          },
        ]}
      />
      {opening && <OpenAssessment options={deptOptions} onClose={() => setOpening(false)} onOpened={(id) => navigate(`/supervision/assessments/${id}`)} />}
    </PageContainer>
  );
}

function OpenAssessment({ options, onClose, onOpened }: { options: { value: string; label: string }[]; onClose: () => void; onOpened: (id: number) => void }) {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const [form] = Form.useForm<{ department: string; month: Dayjs }>();
  // 409: the month's assessment is open already (someone else opened it): the list shows it.
  const reload = useReloadOnConflict(['assessments']);
  const open = useMutation({
    mutationFn: (v: { department: string; month: Dayjs }) =>
      unwrap(api.POST('/api/v1/risk-assessments', { body: { department: v.department, period: v.month.format('YYYY-MM') } })),
    onSuccess: (a) => {
      void qc.invalidateQueries({ queryKey: ['assessments'] });
      onOpened(a.id);
    },
    onError: (err) => applyApiErrors(form, err, { fieldMap: { period: ['month'] }, reload }),
  });
  return (
    <Modal open title={t('openAssessmentTitle')} okText={t('open')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={open.isPending}>
      <Form form={form} layout="vertical" initialValues={{ month: dayjs().tz(getCompanyTimeZone()).startOf('month') }} onFinish={(v) => open.mutate(v)}>
        <Form.Item name="department" label={t('department')} rules={[{ required: true, message: t('required') }]}>
          <Select showSearch optionFilterProp="label" options={options} />
        </Form.Item>
        <Form.Item name="month" label={t('month')} rules={[{ required: true, message: t('required') }]}>
          <DatePicker picker="month" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
