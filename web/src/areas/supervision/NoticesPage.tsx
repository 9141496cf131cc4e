import { useState } from 'react';
import { Button, Card, Empty, Form, Input, List, Modal, Pagination, Select, Space, Spin, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { feedback } from '../../components/feedback';
import { applyApiErrors, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { useProjects } from './hooks';
import { messages } from './messages';
import { StatusTag } from './StatusTag';
import type { Notice } from './types';

const KINDS = ['public_criticism', 'announcement'] as const;

/** /supervision/notices: the 通報批評 board every signed-in user reads (R-INSPECT). */
export default function NoticesPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const [kind, setKind] = useState<(typeof KINDS)[number] | undefined>();
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [publishing, setPublishing] = useState(false);
  const list = useQuery({
    queryKey: ['notices', kind, page],
    queryFn: () => unwrap(api.GET('/api/v1/notices', { params: { query: { kind, limit: page.pageSize, offset: (page.current - 1) * page.pageSize } } })),
  });
  return (
    <PageContainer
      title={t('noticesTitle')}
      description={t('noticesIntro')}
      extra={
        can('notice:publish') && (
          <Button type="primary" onClick={() => setPublishing(true)}>
            {t('publish')}
          </Button>
        )
      }
    >
      <Space style={{ marginBottom: 16 }}>
        <Select
          allowClear
          aria-label={t('kind')}
          placeholder={t('kind')}
          style={{ width: 180 }}
          value={kind}
          options={KINDS.map((k) => ({ value: k, label: t(`nk_${k}`) }))}
          onChange={(k) => {
            setKind(k);
            setPage((p) => ({ ...p, current: 1 }));
          }}
        />
      </Space>
      {list.isLoading ? (
        <Spin />
      ) : list.data?.items.length ? (
        <List
          dataSource={list.data.items}
          renderItem={(n: Notice) => (
            <List.Item>
              <Card style={{ width: '100%', borderLeft: `4px solid ${n.kind === 'public_criticism' ? '#cf1322' : '#1677ff'}` }}>
                <Space wrap size={8} style={{ marginBottom: 4 }}>
                  <StatusTag tone={n.kind === 'public_criticism' ? 'danger' : 'info'}>{t(`nk_${n.kind}`)}</StatusTag>
                  {n.project && <Tag>{`${n.project} ${n.projectName ?? ''}`}</Tag>}
                  {n.automatic && <Tag>{t('automatic')}</Tag>}
                </Space>
                <Typography.Title level={2} style={{ fontSize: 16, margin: '4px 0' }}>
                  {n.title}
                </Typography.Title>
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{n.body}</Typography.Paragraph>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('publishedAt')} {formatDateTime(n.publishedAt)} · {t('publishedBy')} {n.publishedBy.displayName ?? n.publishedBy.username ?? n.publishedBy.id}
                </Typography.Text>
              </Card>
            </List.Item>
          )}
        />
      ) : (
        <Empty description={t('noNotices')} />
      )}
      {(list.data?.total ?? 0) > page.pageSize && (
        <Pagination
          current={page.current}
          pageSize={page.pageSize}
          total={list.data?.total ?? 0}
          pageSizeOptions={[20, 50, 100]}
          showSizeChanger
          onChange={(current, pageSize) => setPage({ current, pageSize })}
        />
      )}
      {publishing && <Publish onClose={() => setPublishing(false)} />}
    </PageContainer>
  );
}

type PublishValues = { kind: (typeof KINDS)[number]; project?: string; title: string; body: string };

function Publish({ onClose }: { onClose: () => void }) {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const [form] = Form.useForm<PublishValues>();
  const reload = useReloadOnConflict(['notices']);
  const projects = useProjects();
  const m = useMutation({
    mutationFn: (body: PublishValues) => unwrap(api.POST('/api/v1/notices', { body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['notices'] });
      feedback().message.success(t('published'));
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal open title={t('publish')} okText={t('publish')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={m.isPending}>
      <Form form={form} layout="vertical" initialValues={{ kind: 'public_criticism' }} onFinish={(v) => m.mutate(v)}>
        <Form.Item name="kind" label={t('kind')}>
          <Select options={KINDS.map((k) => ({ value: k, label: t(`nk_${k}`) }))} />
        </Form.Item>
        <Form.Item name="project" label={t('project')}>
          <Select allowClear showSearch optionFilterProp="label" options={(projects.data ?? []).map((p) => ({ value: p.code, label: `${p.code} ${p.name}` }))} />
        </Form.Item>
        <Form.Item name="title" label={t('title')} rules={[{ required: true, min: 3, message: t('required') }]}>
          <Input maxLength={300} />
        </Form.Item>
        <Form.Item name="body" label={t('body')} rules={[{ required: true, min: 3, message: t('required') }]}>
          <Input.TextArea rows={6} maxLength={10000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
