import { useState } from 'react';
import { Alert, App, Form, Input, Modal, Radio, Select, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Revealed } from '../../components/Revealed';
import { applyApiErrors, useReloadOnConflict } from '../../forms/apiErrors';
import { useMessages } from '../../i18n/messages';
import { messages } from './messages';
import type { SurveyNote } from './shared';

type NewNote = { source: 'interview' | 'census'; unit?: string; text: string };

/** POST /api/v1/survey-notes: source, optional unit, the text (kept only encrypted on the server). */
export function NewNoteModal({ open, project, onClose }: { open: boolean; project: string; onClose: () => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<NewNote>();
  const create = useMutation({
    mutationFn: (v: NewNote) => unwrap(api.POST('/api/v1/survey-notes', { body: { project, source: v.source, unit: v.unit?.trim() || null, text: v.text } })),
    onSuccess: () => {
      message.success(t('created'));
      void qc.invalidateQueries({ queryKey: ['survey-notes'] });
      onClose();
    },
    onError: (err) => applyApiErrors(form, err),
  });
  return (
    <Modal
      open={open}
      title={t('createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={create.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ source: 'census' }} onFinish={(v) => create.mutate(v)} preserve={false} autoComplete="off">
        <Typography.Paragraph type="secondary">{t('createHint')}</Typography.Paragraph>
        <Form.Item name="source" label={t('source')} rules={[{ required: true, message: t('sourceRequired') }]}>
          <Radio.Group
            options={[
              { value: 'census', label: t('census') },
              { value: 'interview', label: t('interview') },
            ]}
          />
        </Form.Item>
        <Form.Item name="unit" label={t('unit')}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="text" label={t('textLabel')} rules={[{ required: true, whitespace: true, message: t('textRequired') }]}>
          <Input.TextArea rows={6} maxLength={20000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * The original text for a stated reason (POST …/original: audited with the reason). The text
 * lives only in this dialog's state, shown 60 s (<Revealed>), gone when the dialog closes.
 */
export function OriginalModal({ id, onClose }: { id: number; onClose: () => void }) {
  const t = useMessages(messages);
  const [form] = Form.useForm<{ reason: string }>();
  const [text, setText] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // 409 already_archived (archived meanwhile: the original no longer exists): the list reloads and shows it archived.
  const reload = useReloadOnConflict(['survey-notes']);
  const run = async (v: { reason: string }) => {
    setBusy(true);
    try {
      const r = await unwrap(api.POST('/api/v1/survey-notes/{id}/original', { params: { path: { id: String(id) } }, body: { reason: v.reason.trim() } }));
      setText(r.text);
    } catch (err) {
      applyApiErrors(form, err, { reload });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('originalTitle', { id })}
      onCancel={onClose}
      onOk={text === null ? () => form.submit() : onClose}
      okText={text === null ? t('show') : t('close')}
      cancelButtonProps={text === null ? undefined : { style: { display: 'none' } }}
      cancelText={t('cancel')}
      confirmLoading={busy}
      destroyOnHidden
    >
      {text === null ? (
        <Form form={form} layout="vertical" onFinish={run} autoComplete="off">
          <Alert type="warning" showIcon title={t('originalHint')} style={{ marginBottom: 16 }} />
          <Form.Item name="reason" label={t('reason')} extra={t('reasonHint')} rules={[{ required: true, whitespace: true, min: 5, message: t('reasonHint') }]}>
            <Input maxLength={500} />
          </Form.Item>
        </Form>
      ) : (
        <div style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
          <Revealed value={text} seconds={60} onHidden={() => setText('')} />
        </div>
      )}
    </Modal>
  );
}

type Changes = { unit?: string; phones?: string[]; idNumber?: string; employer?: string; email?: string; emergencyContact?: string; notes?: string };
type ReconcileValues = { customerId: number; changes: Changes };

/** POST …/reconcile: a customer of the same project and the fields that change (only those filled in are sent). */
export function ReconcileModal({ note, project, onClose }: { note: SurveyNote; project: string; onClose: () => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<ReconcileValues>();
  const [q, setQ] = useState('');
  const customers = useQuery({
    queryKey: ['survey-notes', 'customers', project, q],
    queryFn: () => unwrap(api.GET('/api/v1/customers', { params: { query: { project, limit: 50, offset: 0, ...(q.trim() ? { q: q.trim() } : {}) } } })),
  });
  // 409 (the note was archived meanwhile, or the customer's new phone or ID number is another customer's):
  // the notes (and the customer picker) reload; what was typed stays in the dialog.
  const reload = useReloadOnConflict(['survey-notes']);
  const reconcile = useMutation({
    mutationFn: (v: ReconcileValues) => {
      const changes: Changes = {};
      for (const [k, val] of Object.entries(v.changes ?? {}) as [keyof Changes, string | string[] | undefined][]) {
        if (Array.isArray(val)) {
          if (val.length > 0) (changes as Record<string, unknown>)[k] = val.map((p) => p.trim());
        } else if (typeof val === 'string' && val.trim() !== '') {
          (changes as Record<string, unknown>)[k] = val.trim();
        }
      }
      if (Object.keys(changes).length === 0) {
        form.setFields([{ name: ['changes', 'unit'], errors: [t('nothingToChange')] }]);
        return Promise.reject(new Error('nothing'));
      }
      return unwrap(api.POST('/api/v1/survey-notes/{id}/reconcile', { params: { path: { id: String(note.id) } }, body: { customerId: v.customerId, changes } }));
    },
    onSuccess: () => {
      message.success(t('reconciledDone', { id: note.id }));
      void qc.invalidateQueries({ queryKey: ['survey-notes'] });
      onClose();
    },
    onError: (err) => {
      if (err instanceof Error && err.message === 'nothing') return;
      applyApiErrors(form, err, { reload });
    },
  });
  const options = (customers.data?.items ?? []).map((c) => ({ value: c.id, label: `#${c.id} ${c.name} ${c.unit}` }));
  return (
    <Modal
      open
      title={t('reconcileTitle', { id: note.id })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('reconcile')}
      cancelText={t('cancel')}
      confirmLoading={reconcile.isPending}
      destroyOnHidden
      width={640}
    >
      <Form form={form} layout="vertical" onFinish={(v) => reconcile.mutate(v)} initialValues={{ customerId: note.customerId ?? undefined }} autoComplete="off">
        <Typography.Paragraph type="secondary">{t('reconcileHint')}</Typography.Paragraph>
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', background: 'rgba(0,0,0,0.03)', padding: 8 }}>{note.text}</Typography.Paragraph>
        <Form.Item name="customerId" label={t('customer')} rules={[{ required: true, message: t('customerRequired') }]}>
          <Select showSearch={{ filterOption: false, onSearch: setQ }} placeholder={t('customerPlaceholder')} loading={customers.isFetching} options={options} />
        </Form.Item>
        <Form.Item name={['changes', 'unit']} label={t('newUnit')}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name={['changes', 'phones']} label={t('phones')} extra={t('phonesHint')}>
          <Select mode="tags" open={false} suffixIcon={null} tokenSeparators={[',', ' ']} />
        </Form.Item>
        <Form.Item name={['changes', 'idNumber']} label={t('idNumber')}>
          <Input maxLength={30} />
        </Form.Item>
        <Form.Item name={['changes', 'employer']} label={t('employer')}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name={['changes', 'email']} label={t('email')}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name={['changes', 'notes']} label={t('notes')}>
          <Input.TextArea rows={2} maxLength={4000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
