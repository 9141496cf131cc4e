import { useState } from 'react';
import { Alert, Button, Card, DatePicker, Form, Input, Modal, Radio, Select, Table } from 'antd';
import { useMutation } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { api, unwrap } from '../../api/client';
import { feedback } from '../../components/feedback';
import { applyApiErrors, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime, getCompanyTimeZone } from '../../i18n/format';
import { useLocale } from '../../i18n/locale';
import { useMessages } from '../../i18n/messages';
import { usePeople } from './hooks';
import { messages } from './messages';
import { StatusTag } from './StatusTag';
import type { Finding, Inspection } from './types';

/** The inspection's findings (minor or major hazard) on failed items, and the rectifications assigned for them. */
export function FindingsCard({ i, conduct, onChanged }: { i: Inspection; conduct: boolean; onChanged: () => void }) {
  const t = useMessages(messages);
  const { locale } = useLocale();
  const [adding, setAdding] = useState(false);
  const [assigning, setAssigning] = useState<Finding | null>(null);
  const failed = i.items.filter((it) => it.result === 'fail');
  const itemText = (itemId: number) => {
    const it = i.items.find((x) => x.id === itemId);
    return it ? `${it.position}. ${locale === 'en' ? it.checkEn : it.checkZh}` : String(itemId);
  };
  return (
    <Card
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('findings')}</h2>}
      style={{ marginTop: 16 }}
      extra={
        conduct && (
          <Button onClick={() => setAdding(true)} disabled={!failed.length}>
            {t('addFinding')}
          </Button>
        )
      }
    >
      {conduct && !failed.length && <Alert type="info" showIcon title={t('failedOnly')} style={{ marginBottom: 12 }} />}
      <Table<Finding>
        rowKey="id"
        size="small"
        pagination={false}
        scroll={{ x: 640 }}
        dataSource={i.findings}
        locale={{ emptyText: t('noFindings') }}
        columns={[
          { title: t('item'), dataIndex: 'itemId', render: (id: number) => itemText(id) },
          {
            title: t('severity'),
            dataIndex: 'severity',
            render: (s: Finding['severity']) => <StatusTag tone={s === 'major_hazard' ? 'danger' : 'warn'}>{t(`sv_${s}`)}</StatusTag>,
          },
          { title: t('description'), dataIndex: 'description' },
          { title: t('createdAt'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v) },
          {
            title: t('rectifications'),
            key: 'r',
            render: (_, f) =>
              i.status === 'in_progress' && conduct ? (
                <Button size="small" onClick={() => setAssigning(f)} aria-label={`${t('addRectification')}: ${f.description}`}>
                  {t('addRectification')}
                  {f.rectificationIds.length ? ` (${f.rectificationIds.length})` : ''}
                </Button>
              ) : (
                f.rectificationIds.length
              ),
          },
        ]}
      />
      {adding && (
        <AddFinding
          i={i}
          options={failed.map((it) => ({ value: it.id, label: itemText(it.id) }))}
          onClose={() => setAdding(false)}
          onDone={() => {
            setAdding(false);
            onChanged();
          }}
        />
      )}
      {assigning && (
        <AssignRectification
          i={i}
          finding={assigning}
          onClose={() => setAssigning(null)}
          onDone={() => {
            setAssigning(null);
            onChanged();
          }}
        />
      )}
    </Card>
  );
}

type FindingValues = { itemId: number; severity: Finding['severity']; description: string };

function AddFinding({ i, options, onClose, onDone }: { i: Inspection; options: { value: number; label: string }[]; onClose: () => void; onDone: () => void }) {
  const t = useMessages(messages);
  const [form] = Form.useForm<FindingValues>();
  const reload = useReloadOnConflict(['inspection', i.id]);
  const m = useMutation({
    mutationFn: (body: FindingValues) => unwrap(api.POST('/api/v1/inspections/{id}/findings', { params: { path: { id: String(i.id) } }, body })),
    onSuccess: () => {
      feedback().message.success(t('findingAdded'));
      onDone();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal open title={t('addFinding')} okText={t('add')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={m.isPending}>
      <Form form={form} layout="vertical" initialValues={{ severity: 'minor', itemId: options.length === 1 ? options[0].value : undefined }} onFinish={(v) => m.mutate(v)}>
        <Form.Item name="itemId" label={t('item')} rules={[{ required: true, message: t('required') }]}>
          <Select options={options} showSearch optionFilterProp="label" />
        </Form.Item>
        <Form.Item name="severity" label={t('severity')} rules={[{ required: true }]}>
          <Radio.Group
            options={[
              { value: 'minor', label: t('sv_minor') },
              { value: 'major_hazard', label: t('sv_major_hazard') },
            ]}
          />
        </Form.Item>
        <Form.Item name="description" label={t('description')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input.TextArea rows={4} maxLength={4000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

type RectValues = { description: string; ownerUserId: number; dueDate: Dayjs };

function AssignRectification({ i, finding, onClose, onDone }: { i: Inspection; finding: Finding; onClose: () => void; onDone: () => void }) {
  const t = useMessages(messages);
  const [form] = Form.useForm<RectValues>();
  const people = usePeople(`project:${i.project}`);
  const today = dayjs().tz(getCompanyTimeZone()).startOf('day');
  const reload = useReloadOnConflict(['inspection', i.id]);
  const m = useMutation({
    mutationFn: (v: RectValues) =>
      unwrap(
        api.POST('/api/v1/inspections/{id}/rectifications', {
          params: { path: { id: String(i.id) } },
          body: { findingId: finding.id, description: v.description, ownerUserId: v.ownerUserId, dueDate: v.dueDate.format('YYYY-MM-DD') },
        }),
      ),
    onSuccess: () => {
      feedback().message.success(t('rectAssigned'));
      onDone();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal open title={`${t('addRectification')}: ${finding.description}`} okText={t('add')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={m.isPending}>
      <Form form={form} layout="vertical" onFinish={(v) => m.mutate(v)}>
        <Form.Item name="description" label={t('description')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
        <Form.Item name="ownerUserId" label={t('owner')} rules={[{ required: true, message: t('required') }]}>
          <Select showSearch optionFilterProp="label" loading={people.isLoading} options={(people.data ?? []).map((p) => ({ value: p.id, label: `${p.displayName} (${p.username})` }))} />
        </Form.Item>
        <Form.Item name="dueDate" label={t('dueDate')} rules={[{ required: true, message: t('required') }]}>
          <DatePicker disabledDate={(d) => d.isBefore(today, 'day')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
