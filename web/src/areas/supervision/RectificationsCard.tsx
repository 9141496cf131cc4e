import { useState } from 'react';
import { Button, Card, DatePicker, Form, Input, Modal, Select, Table } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { api, unwrap } from '../../api/client';
import { feedback } from '../../components/feedback';
import { applyApiErrors, isConflict, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDate, getCompanyTimeZone } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { usePeople } from './hooks';
import { messages } from './messages';
import { useSession } from '../../session/SessionProvider';
import { StatusTag } from './StatusTag';
import type { Assessment, Rectification } from './types';

/** The assessment's rectification actions, with owners and due dates; a draft's editor adds more. */
export function RectificationsCard({ a, editable }: { a: Assessment; editable: boolean }) {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const { can } = useSession();
  // Progress is recorded after submission too: the department's editor on any action, an owner on theirs.
  const manageRect = can('risk_assessment:edit', `dept:${a.department}`);
  const [adding, setAdding] = useState(false);
  return (
    <Card
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('rectifications')}</h2>}
      style={{ marginTop: 16 }}
      extra={editable && <Button onClick={() => setAdding(true)}>{t('addRectification')}</Button>}
    >
      <RectificationTable rows={a.rectifications} manager={manageRect ? { kind: 'assessment' } : null} onChanged={() => void qc.invalidateQueries({ queryKey: ['assessment', a.id] })} />
      {adding && <AddRectification a={a} onClose={() => setAdding(false)} />}
    </Card>
  );
}

/** Who may record a rectification's progress here: the source's editor (any row) or, on their own rows, the owner. */
export type RectificationManager = { kind: 'assessment' } | { kind: 'inspection'; inspectionId: number } | null;

export function RectificationTable({ rows, manager = null, onChanged }: { rows: Rectification[]; manager?: RectificationManager; onChanged?: () => void }) {
  const t = useMessages(messages);
  const { user } = useSession();
  const [editing, setEditing] = useState<Rectification | null>(null);
  const may = (r: Rectification) => !!onChanged && (manager !== null || r.ownerUserId === user.id);
  return (
    <>
      <Table<Rectification>
        rowKey="id"
        size="small"
        pagination={false}
        scroll={{ x: 720 }}
        dataSource={rows}
        locale={{ emptyText: t('noRectifications') }}
        columns={[
          { title: t('description'), dataIndex: 'description' },
          { title: t('owner'), dataIndex: 'ownerUsername', render: (u: string | null, r) => u ?? r.ownerUserId },
          { title: t('dueDate'), dataIndex: 'dueDate', render: (d: string, r) => (r.overdue ? <StatusTag tone="danger">{`${formatDate(d)} ${t('overdue')}`}</StatusTag> : formatDate(d)) },
          { title: t('status'), dataIndex: 'status', render: (s: Rectification['status']) => t(`rs_${s}`) },
          { title: t('evidence'), dataIndex: 'evidenceNotes', render: (e: string | null) => e ?? '' },
          {
            title: t('actions'),
            key: 'a',
            render: (_, r) =>
              may(r) && (
                <Button size="small" onClick={() => setEditing(r)} aria-label={`${t('progress')}: ${r.description}`}>
                  {t('progress')}
                </Button>
              ),
          },
        ]}
      />
      {editing && onChanged && <Progress r={editing} manager={manager} onClose={() => setEditing(null)} onDone={onChanged} />}
    </>
  );
}

type ProgressValues = { status: Rectification['status']; evidenceNotes?: string };

function Progress({ r, manager, onClose, onDone }: { r: Rectification; manager: RectificationManager; onClose: () => void; onDone: () => void }) {
  const t = useMessages(messages);
  const [form] = Form.useForm<ProgressValues>();
  const m = useMutation({
    mutationFn: (v: ProgressValues) => {
      const body = { status: v.status, ...(v.evidenceNotes?.trim() ? { evidenceNotes: v.evidenceNotes.trim() } : {}) };
      if (manager?.kind === 'assessment') return unwrap(api.PATCH('/api/v1/rectifications/{id}', { params: { path: { id: String(r.id) } }, body }));
      if (manager?.kind === 'inspection')
        return unwrap(api.PATCH('/api/v1/inspections/{id}/rectifications/{rectificationId}', { params: { path: { id: manager.inspectionId, rectificationId: r.id } }, body }));
      return unwrap(api.PATCH('/api/v1/me/rectifications/{id}', { params: { path: { id: String(r.id) } }, body }));
    },
    onSuccess: () => {
      feedback().message.success(t('saved'));
      onDone();
      onClose();
    },
    onError: (err) => {
      applyApiErrors(form, err);
      // 409 (the record it belongs to changed): the parent reloads it; the dialog keeps what was typed.
      if (isConflict(err)) onDone();
    },
  });
  return (
    <Modal open title={`${t('progress')}: ${r.description}`} okText={t('save')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={m.isPending}>
      <Form form={form} layout="vertical" initialValues={{ status: r.status, evidenceNotes: r.evidenceNotes ?? '' }} onFinish={(v) => m.mutate(v)}>
        <Form.Item name="status" label={t('status')}>
          <Select options={(['open', 'in_progress', 'done'] as const).map((s) => ({ value: s, label: t(`rs_${s}`) }))} />
        </Form.Item>
        <Form.Item name="evidenceNotes" label={t('evidence')}>
          <Input.TextArea rows={4} maxLength={5000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function AddRectification({ a, onClose }: { a: Assessment; onClose: () => void }) {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const [form] = Form.useForm<{ description: string; ownerUserId: number; dueDate: Dayjs }>();
  const people = usePeople(`dept:${a.department}`);
  const today = dayjs().tz(getCompanyTimeZone()).startOf('day');
  const reload = useReloadOnConflict(['assessment', a.id]);
  const add = useMutation({
    mutationFn: (v: { description: string; ownerUserId: number; dueDate: Dayjs }) =>
      unwrap(api.POST('/api/v1/risk-assessments/{id}/rectifications', { params: { path: { id: String(a.id) } }, body: { description: v.description, ownerUserId: v.ownerUserId, dueDate: v.dueDate.format('YYYY-MM-DD') } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['assessment', a.id] });
      feedback().message.success(t('rectAdded'));
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal open title={t('addRectification')} okText={t('add')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={add.isPending}>
      <Form form={form} layout="vertical" onFinish={(v) => add.mutate(v)}>
        <Form.Item name="description" label={t('description')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
        <Form.Item name="ownerUserId" label={t('owner')} rules={[{ required: true, message: t('required') }]}>
          <Select
            showSearch
            optionFilterProp="label"
            loading={people.isLoading}
            options={(people.data ?? []).map((p) => ({ value: p.id, label: `${p.displayName} (${p.username})` }))}
          />
        </Form.Item>
        <Form.Item name="dueDate" label={t('dueDate')} rules={[{ required: true, message: t('required') }]}>
          <DatePicker disabledDate={(d) => d.isBefore(today, 'day')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
