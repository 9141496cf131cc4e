import { useState } from 'react';
import { EyeOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Flex, Form, Input, InputNumber, Modal, Popconfirm, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Watermark } from '../../components/Watermark';
import { applyApiErrors, isConflict, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { personLabel } from '../../shared/people';
import { type Destruction, formatBytes, keys, type MyConfirmation, type MyDelegation } from './api';
import { messages } from './messages';
import { StatusTag } from './StatusTag';

const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

/**
 * The clerk's part (R-HANDOVER-HOLD, R-HANDOVER-DESTROY): the file they may view through an open
 * delegation, the in-browser viewer, and the report of the records entered from it.
 */
export function ClerkCard({ d }: { d: MyDelegation }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ records: number; note?: string }>();
  const f = d.file;
  // 409 (already reported, the delegation ended, the file changed hands): the shared conflict reload of
  // the clerk's delegations; any other answer reloads them too, as before (403: the delegation expired).
  const reload = useReloadOnConflict(keys.mine);
  const report = useMutation({
    mutationFn: (v: { records: number; note?: string }) =>
      unwrap(api.POST('/api/v1/handover-files/{id}/entry-confirmation', { params: { path: { id: String(f.id) } }, body: { records: v.records, ...(v.note?.trim() ? { note: v.note.trim() } : {}) } })),
    onSuccess: () => {
      message.success(t('reportDone'));
      void qc.invalidateQueries({ queryKey: keys.mine });
    },
    onError: (err) => {
      applyApiErrors(form, err, { reload });
      if (!isConflict(err)) void qc.invalidateQueries({ queryKey: keys.mine });
    },
  });
  return (
    <Watermark>
      <Flex vertical gap={16}>
        <Card
          title={h2(t('clerkTitle'))}
          extra={
            <Button type="primary" icon={<EyeOutlined />} onClick={() => void navigate(`/handover/${f.id}/view`)}>
              {t('viewFile')}
            </Button>
          }
        >
          <Typography.Paragraph>{t('clerkIntro')}</Typography.Paragraph>
          <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
            <Descriptions.Item label={t('serial')}>{f.serial}</Descriptions.Item>
            <Descriptions.Item label={t('project')}>{f.project}</Descriptions.Item>
            <Descriptions.Item label={t('fileName')}>{f.fileName}</Descriptions.Item>
            <Descriptions.Item label={t('format')}>{f.format.toUpperCase()}</Descriptions.Item>
            <Descriptions.Item label={t('size')}>{formatBytes(f.byteSize)}</Descriptions.Item>
            <Descriptions.Item label={t('status')}>
              <StatusTag status={f.status} t={t} />
            </Descriptions.Item>
            <Descriptions.Item label={t('grantedAt')}>{formatDateTime(d.grantedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('expiresAt')}>{formatDateTime(d.expiresAt)}</Descriptions.Item>
          </Descriptions>
        </Card>
        <Card title={h2(t('reportEntry'))}>
          {f.entryReportedAt ? (
            <Alert type="success" showIcon message={t('entryReported', { at: formatDateTime(f.entryReportedAt) })} />
          ) : (
            <Form form={form} layout="vertical" style={{ maxWidth: 420 }} onFinish={(v) => report.mutate(v)}>
              <Form.Item name="records" label={t('records')} rules={[{ required: true }]}>
                <InputNumber min={0} max={10_000_000} precision={0} style={{ width: 200 }} />
              </Form.Item>
              <Form.Item name="note" label={t('note')} rules={[{ max: 500 }]}>
                <Input.TextArea rows={2} maxLength={500} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={report.isPending}>
                {t('reportEntry')}
              </Button>
            </Form>
          )}
        </Card>
      </Flex>
    </Watermark>
  );
}

/**
 * R-HANDOVER-DESTROY (two-person rule): the named witness, in their own session, confirms the
 * recorded destruction (the file is crypto-shredded now) or declines it with a reason.
 */
export function WitnessCard({ c, fileId, onDestroyed }: { c: MyConfirmation; fileId: number; onDestroyed: (d: Destruction) => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [declining, setDeclining] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const params = { path: { id: String(fileId) } };
  const done = () => {
    void qc.invalidateQueries({ queryKey: keys.confirmations });
    void qc.invalidateQueries({ queryKey: ['handover'] });
  };
  // 409 (already decided or lapsed, nothing to confirm, already destroyed, the holder changed): the
  // shared conflict reload of what waits for the witness and of the file; the page then shows where it stands.
  const reload = useReloadOnConflict(keys.confirmations, ['handover']);
  const confirm = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/handover-files/{id}/destruction/confirm', { params, body: {} })),
    onSuccess: (d) => {
      message.success(t('witnessDone'));
      onDestroyed(d);
      done();
    },
    onError: (err) => {
      applyApiErrors(null, err, { reload });
      if (!isConflict(err)) done();
    },
  });
  const decline = useMutation({
    mutationFn: (reason: string) => unwrap(api.POST('/api/v1/handover-files/{id}/destruction/decline', { params, body: { reason } })),
    onSuccess: () => {
      message.success(t('declineDone'));
      setDeclining(false);
      done();
    },
    // The reason stays in the dialog; on a 409 the confirmation reloads behind it.
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  const by = c.requestedBy ? personLabel(c.requestedBy) : '';
  return (
    <Card title={h2(t('witnessTitle'))}>
      <Typography.Paragraph>{t('witnessIntro', { name: by })}</Typography.Paragraph>
      <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('serial')}>{c.serial}</Descriptions.Item>
        <Descriptions.Item label={t('project')}>{c.project}</Descriptions.Item>
        <Descriptions.Item label={t('requestedBy')}>{by}</Descriptions.Item>
        <Descriptions.Item label={t('requestedAt')}>{formatDateTime(c.requestedAt)}</Descriptions.Item>
        <Descriptions.Item label={t('dueAt')}>{formatDateTime(c.dueAt)}</Descriptions.Item>
        {c.reason && <Descriptions.Item label={t('reason')}>{c.reason}</Descriptions.Item>}
      </Descriptions>
      <Flex gap={8} wrap>
        <Popconfirm title={t('witnessConfirmQ')} onConfirm={() => confirm.mutate()} okText={t('witnessConfirm')}>
          <Button type="primary" danger loading={confirm.isPending}>
            {t('witnessConfirm')}
          </Button>
        </Popconfirm>
        <Button onClick={() => setDeclining(true)}>{t('decline')}</Button>
      </Flex>
      <Modal
        open={declining}
        title={t('decline')}
        okText={t('decline')}
        onCancel={() => setDeclining(false)}
        confirmLoading={decline.isPending}
        onOk={() => form.validateFields().then((v) => decline.mutate(v.reason.trim()))}
        destroyOnHidden
      >
        <Form form={form} layout="vertical">
          <Form.Item name="reason" label={t('declineReason')} rules={[{ required: true, min: 3, max: 500 }]}>
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
