import { useState } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Checkbox, Flex, Form, Input, Modal, Radio, Select, Space, Table, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, download, unwrapAs } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { applyApiErrors, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { PAGE_SIZES } from '../../shared/table';
import { ToneTag, type Tone } from '../../shared/tone';
import { useProjects } from '../../shared/org';
import { messages } from './messages';
import { projectOptions } from './shared';

const STATUSES = ['pending', 'approved', 'rejected', 'downloaded', 'cancelled'] as const;
type Status = (typeof STATUSES)[number] | 'expired';
const FIELDS = ['phones', 'idNumber', 'employer', 'email', 'emergencyContact'] as const;
const TONES: Record<Status, Tone> = { pending: 'gold', approved: 'green', rejected: 'red', downloaded: 'blue', cancelled: 'grey', expired: 'grey' };

/** GET /api/v1/external-releases (src/features/releases: no response schema yet; what this page reads). */
interface Release {
  id: number;
  project: string;
  recipient: string;
  purpose: string;
  fields: string[];
  format: 'csv' | 'xlsx';
  status: Status;
  requestedById: number;
  decidedAt: string | null;
  decisionNote: string | null;
  availableUntil: string | null;
  createdAt: string;
}

/**
 * /admin/releases — R-EXTERNAL: release requests (the IT admin asks), the general manager's
 * approval or rejection, the requester's single download.
 */
export default function ReleasesPage() {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const { can, user } = useSession();
  const qc = useQueryClient();
  const [status, setStatus] = useState<(typeof STATUSES)[number] | undefined>();
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [requesting, setRequesting] = useState(false);
  const [rejecting, setRejecting] = useState<Release | null>(null);
  const list = useQuery({
    queryKey: ['admin', 'releases', status ?? null, page],
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrapAs<{ items: Release[]; total: number }>(
        api.GET('/api/v1/external-releases', { params: { query: { ...(status ? { status } : {}), limit: page.pageSize, offset: (page.current - 1) * page.pageSize } } }),
      ),
  });
  const changed = () => qc.invalidateQueries({ queryKey: ['admin', 'releases'] });
  const approve = useMutation({
    mutationFn: (r: Release) => unwrapAs<Release>(api.POST('/api/v1/external-releases/{id}/approve', { params: { path: { id: String(r.id) } }, body: {} })),
    onSuccess: () => {
      message.success(t('decided'));
      void changed();
    },
    onError: (err) => {
      showApiError(err);
      void changed();
    },
  });
  const mayApprove = can('external_release:approve');
  return (
    <PageContainer
      title={t('releasesTitle')}
      description={t('releasesIntro')}
      extra={
        can('external_release:request') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setRequesting(true)}>
            {t('newRelease')}
          </Button>
        )
      }
    >
      <Watermark>
        <Flex gap={12} style={{ marginBottom: 16 }}>
          <Select
            aria-label={t('statusFilter')}
            style={{ width: 180 }}
            value={status ?? 'all'}
            onChange={(v) => {
              setStatus(v === 'all' ? undefined : (v as (typeof STATUSES)[number]));
              setPage((p) => ({ ...p, current: 1 }));
            }}
            options={[{ value: 'all', label: `${t('statusFilter')}: ${t('all')}` }, ...STATUSES.map((s) => ({ value: s, label: t(`rs_${s}`) }))]}
          />
        </Flex>
        <Table<Release>
          rowKey="id"
          size="middle"
          loading={list.isFetching}
          dataSource={list.data?.items}
          scroll={{ x: 'max-content' }}
          pagination={{ ...page, total: list.data?.total ?? 0, showSizeChanger: true, pageSizeOptions: PAGE_SIZES, onChange: (current, pageSize) => setPage({ current, pageSize }) }}
          columns={[
            { title: '#', dataIndex: 'id', width: 60 },
            { title: t('project'), dataIndex: 'project' },
            { title: t('recipient'), dataIndex: 'recipient' },
            { title: t('purpose'), dataIndex: 'purpose', render: (p: string) => <div style={{ maxWidth: 280, whiteSpace: 'normal' }}>{p}</div> },
            { title: t('fields'), dataIndex: 'fields', render: (f: string[]) => (f.length ? f.map((x) => t(`field_${x}` as 'field_phones')).join('、') : t('none')) },
            { title: t('status'), dataIndex: 'status', render: (s: Status) => <ToneTag tone={TONES[s]}>{t(`rs_${s}`)}</ToneTag> },
            { title: t('requestedAt'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v) },
            { title: t('availableUntil'), dataIndex: 'availableUntil', render: (v: string | null) => formatDateTime(v) || '—' },
            {
              title: t('actions'),
              key: 'a',
              fixed: 'right',
              render: (_: unknown, r) => (
                <Space size={4} wrap>
                  {mayApprove && r.status === 'pending' && (
                    <>
                      <Button size="small" type="primary" loading={approve.isPending && approve.variables?.id === r.id} onClick={() => approve.mutate(r)} aria-label={`${t('approve')} #${r.id}`}>
                        {t('approve')}
                      </Button>
                      <Button size="small" danger onClick={() => setRejecting(r)} aria-label={`${t('reject')} #${r.id}`}>
                        {t('reject')}
                      </Button>
                    </>
                  )}
                  {r.status === 'approved' && r.requestedById === user.id && (
                    <Button
                      size="small"
                      onClick={() =>
                        download(`/api/v1/external-releases/${r.id}/download`)
                          .catch(showApiError)
                          .finally(() => void changed())
                      }
                      aria-label={`${t('download')} #${r.id}`}
                    >
                      {t('download')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Watermark>
      <RequestDialog open={requesting} onClose={() => setRequesting(false)} onDone={changed} />
      <RejectDialog release={rejecting} onClose={() => setRejecting(null)} onDone={changed} />
    </PageContainer>
  );
}

interface RequestValues {
  project: string;
  recipient: string;
  purpose: string;
  fields: (typeof FIELDS)[number][];
  format: 'csv' | 'xlsx';
}

function RequestDialog({ open, onClose, onDone }: { open: boolean; onClose: () => void; onDone: () => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const projects = useProjects();
  const [form] = Form.useForm<RequestValues>();
  const reload = useReloadOnConflict(['admin', 'releases']);
  const send = useMutation({
    mutationFn: (v: RequestValues) => unwrapAs<Release>(api.POST('/api/v1/external-releases', { body: v })),
    onSuccess: (r) => {
      message.success(t('releaseRequested', { id: r.id }));
      form.resetFields();
      onDone();
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal open={open} title={t('newRelease')} onCancel={onClose} okText={t('create')} cancelText={t('cancel')} confirmLoading={send.isPending} onOk={() => form.submit()} forceRender>
      <Form form={form} layout="vertical" name="release" initialValues={{ fields: [], format: 'csv' }} onFinish={(v) => send.mutate(v)}>
        <Form.Item name="project" label={t('project')} rules={[{ required: true, message: t('required') }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} loading={projects.isLoading} options={projectOptions(projects.data)} />
        </Form.Item>
        <Form.Item name="recipient" label={t('recipient')} rules={[{ required: true, message: t('required') }]}>
          <Input maxLength={200} autoComplete="off" />
        </Form.Item>
        <Form.Item name="purpose" label={t('purpose')} rules={[{ required: true, message: t('required') }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Form.Item name="fields" label={t('fields')}>
          <Checkbox.Group options={FIELDS.map((f) => ({ value: f, label: t(`field_${f}`) }))} />
        </Form.Item>
        <Form.Item name="format" label={t('format')}>
          <Radio.Group options={[{ value: 'csv', label: 'CSV' }, { value: 'xlsx', label: 'XLSX' }]} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RejectDialog({ release, onClose, onDone }: { release: Release | null; onClose: () => void; onDone: () => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  // 409: another approver decided first: the list reloads; the reason typed stays.
  const reload = useReloadOnConflict(['admin', 'releases']);
  const reject = useMutation({
    mutationFn: (v: { reason: string }) => unwrapAs<Release>(api.POST('/api/v1/external-releases/{id}/reject', { params: { path: { id: String(release!.id) } }, body: v })),
    onSuccess: () => {
      message.success(t('decided'));
      form.resetFields();
      onDone();
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal open={!!release} title={`${t('reject')} #${release?.id ?? ''}`} onCancel={onClose} okText={t('reject')} okButtonProps={{ danger: true }} cancelText={t('cancel')} confirmLoading={reject.isPending} onOk={() => form.submit()} forceRender>
      {release && <Typography.Paragraph>{`${release.project} → ${release.recipient}`}</Typography.Paragraph>}
      <Form form={form} layout="vertical" name="reject-release" onFinish={(v) => reject.mutate(v)}>
        <Form.Item name="reason" label={t('rejectReason')} rules={[{ required: true, message: t('required') }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
