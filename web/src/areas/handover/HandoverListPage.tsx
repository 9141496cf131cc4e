import { useMemo, useState } from 'react';
import { InboxOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Flex, Form, Modal, Select, Table, Typography, Upload } from 'antd';
import type { UploadFile } from 'antd';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { applyApiErrors } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { projectScopes, useProjects } from '../../shared/org';
import { PAGE_SIZES } from '../../shared/table';
import { type FileEntry, type FileStatus, formatBytes, keys, STATUSES, uploadFile } from './api';
import { messages } from './messages';
import { StatusTag } from './StatusTag';

/** /handover — the files of a project (server paging, status filter); the holding lead uploads here (R-HANDOVER-HOLD). */
export default function HandoverListPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const projects = useProjects();
  // Only projects where the caller reads handover files (the project, or its department, or company-wide).
  const readable = useMemo(
    () => (projects.data ?? []).filter((p) => can('handover_file:read', projectScopes(p))),
    [projects.data, can],
  );
  const project = params.get('project') ?? readable[0]?.code;
  const status = (params.get('status') as FileStatus | null) ?? undefined;
  const [page, setPage] = useState({ limit: 20, offset: 0 });
  const [uploading, setUploading] = useState(false);

  const list = useQuery({
    queryKey: keys.list(project ?? '', status, page.limit, page.offset),
    queryFn: () => unwrap(api.GET('/api/v1/handover-files', { params: { query: { project: project!, status, limit: page.limit, offset: page.offset } } })),
    enabled: !!project,
  });

  const setFilter = (name: 'project' | 'status', value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name === 'project' && !next.get('project') && project) next.set('project', project);
    setParams(next, { replace: true });
    setPage((p) => ({ ...p, offset: 0 }));
  };

  const canHold = !!project && can('handover_file:hold', `project:${project}`);

  return (
    <PageContainer
      title={t('listTitle')}
      description={t('listIntro')}
      extra={
        canHold && (
          <Button type="primary" icon={<UploadOutlined />} onClick={() => setUploading(true)}>
            {t('upload')}
          </Button>
        )
      }
    >
      <Flex gap={16} wrap style={{ marginBottom: 16 }}>
        <Form layout="inline">
          <Form.Item label={t('project')} htmlFor="handover-project">
            <Select
              id="handover-project"
              style={{ minWidth: 220 }}
              loading={projects.isLoading}
              value={project}
              onChange={(v) => setFilter('project', v)}
              showSearch={{ optionFilterProp: 'label' }}
              options={readable.map((p) => ({ value: p.code, label: `${p.code} ${p.name}` }))}
            />
          </Form.Item>
          <Form.Item label={t('status')} htmlFor="handover-status">
            <Select
              id="handover-status"
              style={{ minWidth: 180 }}
              value={status ?? ''}
              onChange={(v) => setFilter('status', v || undefined)}
              options={[{ value: '', label: t('allStatuses') }, ...STATUSES.map((s) => ({ value: s, label: t(s) }))]}
            />
          </Form.Item>
        </Form>
      </Flex>
      {!project ? (
        <Empty description={t('noProject')} />
      ) : (
        <Watermark>
          <Table<FileEntry>
            rowKey="id"
            size="middle"
            scroll={{ x: 800 }}
            loading={list.isLoading}
            dataSource={list.data?.items ?? []}
            locale={{ emptyText: t('noFiles') }}
            pagination={{
              current: page.offset / page.limit + 1,
              pageSize: page.limit,
              total: list.data?.total ?? 0,
              pageSizeOptions: PAGE_SIZES,
              showSizeChanger: true,
              onChange: (current, size) => setPage({ limit: size, offset: size === page.limit ? (current - 1) * size : 0 }),
            }}
            columns={[
              { title: t('serial'), dataIndex: 'serial', render: (s: string, f) => <Link to={`/handover/${f.id}`}>{s}</Link> },
              { title: t('fileName'), dataIndex: 'fileName', render: (n: string) => <Typography.Text ellipsis={{ tooltip: n }}>{n}</Typography.Text> },
              { title: t('format'), dataIndex: 'format', render: (f: string) => f.toUpperCase() },
              { title: t('size'), dataIndex: 'byteSize', render: formatBytes },
              { title: t('status'), dataIndex: 'status', render: (s: FileStatus, f) => <StatusTag status={s} pending={f.pendingDestruction?.state} t={t} /> },
              { title: t('uploadedAt'), dataIndex: 'uploadedAt', render: formatDateTime },
              { title: t('deadline'), dataIndex: 'destructionDeadline', render: formatDateTime },
            ]}
          />
        </Watermark>
      )}
      {uploading && project && <UploadModal project={project} onClose={() => setUploading(false)} />}
    </PageContainer>
  );
}

function UploadModal({ project, onClose }: { project: string; onClose: () => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const [form] = Form.useForm<{ file: UploadFile[] }>();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const upload = useMutation({
    mutationFn: (file: File) => uploadFile(project, file),
    onSuccess: (f) => {
      void qc.invalidateQueries({ queryKey: ['handover', 'list'] });
      message.success(t('uploaded', { serial: f.serial }));
      onClose();
      void navigate(`/handover/${f.id}`);
    },
    onError: (err) => applyApiErrors(form, err),
  });
  return (
    <Modal
      open
      title={t('uploadTitle')}
      okText={t('upload')}
      onCancel={onClose}
      confirmLoading={upload.isPending}
      onOk={() => form.validateFields().then((v) => upload.mutate(v.file[0].originFileObj as File))}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('uploadNote')}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item label={t('project')}>
          <Typography.Text strong>{project}</Typography.Text>
        </Form.Item>
        <Form.Item
          name="file"
          label={t('uploadFile')}
          valuePropName="fileList"
          getValueFromEvent={(e: { fileList: UploadFile[] }) => e.fileList.slice(-1)}
          rules={[{ required: true, message: t('chooseFile') }]}
        >
          <Upload.Dragger accept=".xlsx,.csv,.pdf" maxCount={1} beforeUpload={() => false}>
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{t('uploadHint')}</p>
          </Upload.Dragger>
        </Form.Item>
      </Form>
    </Modal>
  );
}
