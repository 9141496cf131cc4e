import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, type FormInstance, Input, InputNumber, Popconfirm, Table, Tag, Typography } from 'antd';
import { api, unwrap } from '../../api/client';
import { applyApiErrors, isConflict, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { type Person, personLabel, PersonSelect } from '../../shared/people';
import { type Delegation, type FileView, keys, nameOf, useClerks } from './api';
import { messages } from './messages';

const path = (f: FileView) => ({ path: { id: String(f.id) } });
const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

/** After a change: the file (and the lists showing it) again from the server. */
function useRefresh(f: FileView) {
  const qc = useQueryClient();
  return (next?: FileView) => {
    if (next) qc.setQueryData(keys.file(f.id), { destroyed: false, file: next });
    void qc.invalidateQueries({ queryKey: keys.file(f.id) });
    void qc.invalidateQueries({ queryKey: ['handover', 'list'] });
  };
}

/**
 * A failed action on the file: the message (400s beside the form's fields; what was typed stays),
 * and the file again from the server. 409 (holder changed, state changed, already delegated, a
 * destruction awaiting its witness, a delegation already ended): the shared conflict reload. Any
 * other answer refreshes it too, as before (410: destroyed meanwhile; 403: custody passed), so the
 * page shows the file as it is now.
 */
function useFailed(f: FileView) {
  const refresh = useRefresh(f);
  const reload = useReloadOnConflict(keys.file(f.id), ['handover', 'list']);
  return (err: unknown, form?: FormInstance) => {
    if (form) applyApiErrors(form, err, { reload });
    else showApiError(err, { reload });
    if (!isConflict(err)) refresh();
  };
}

/** R-HANDOVER-HOLD: the holder lets a clerk of the project view the file for a set number of days, and may revoke it. */
export function DelegationsCard({ f }: { f: FileView }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const [form] = Form.useForm<{ clerkUserId: number; days: number }>();
  const refresh = useRefresh(f);
  const failed = useFailed(f);
  const open = f.status !== 'destroyed';
  const clerks = useClerks(f.id, open);
  const people: Person[] = clerks.data ?? [];
  const delegate = useMutation({
    mutationFn: (body: { clerkUserId: number; days: number }) => unwrap(api.POST('/api/v1/handover-files/{id}/delegations', { params: path(f), body })),
    onSuccess: () => {
      message.success(t('delegated'));
      form.resetFields();
      refresh();
    },
    onError: (err) => failed(err, form),
  });
  const revoke = useMutation({
    mutationFn: (d: Delegation) =>
      unwrap(api.DELETE('/api/v1/handover-files/{id}/delegations/{delegationId}', { params: { path: { id: f.id, delegationId: d.id } } })),
    onSuccess: () => {
      message.success(t('revokedDone'));
      refresh();
    },
    onError: (err) => failed(err),
  });
  return (
    <Card title={h2(t('delegations'))}>
      <Typography.Paragraph type="secondary">{t('delegationsIntro')}</Typography.Paragraph>
      <Table<Delegation>
        rowKey="id"
        size="small"
        pagination={false}
        scroll={{ x: 640 }}
        dataSource={f.delegations}
        locale={{ emptyText: t('noDelegations') }}
        columns={[
          { title: t('clerk'), dataIndex: 'clerkId', render: (id: number) => nameOf(people, id) },
          { title: t('grantedAt'), dataIndex: 'grantedAt', render: formatDateTime },
          { title: t('expiresAt'), dataIndex: 'expiresAt', render: formatDateTime },
          { title: t('state'), dataIndex: 'state', render: (s: Delegation['state']) => <Tag color={s === 'active' ? 'blue' : 'default'}>{t(s)}</Tag> },
          {
            title: t('actions'),
            key: 'actions',
            render: (_: unknown, d) =>
              d.endedAt === null && (
                <Popconfirm title={t('revokeConfirm')} onConfirm={() => revoke.mutate(d)}>
                  <Button size="small" danger loading={revoke.isPending && revoke.variables?.id === d.id}>
                    {t('revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      {open && (
        <Form form={form} layout="inline" style={{ marginTop: 16, rowGap: 8 }} initialValues={{ days: 7 }} onFinish={(v) => delegate.mutate(v)}>
          <Form.Item name="clerkUserId" label={t('clerk')} rules={[{ required: true, message: t('chooseClerk') }]}>
            <PersonSelect style={{ minWidth: 240 }} placeholder={t('chooseClerk')} loading={clerks.isLoading} people={people} />
          </Form.Item>
          <Form.Item name="days" label={t('days')} rules={[{ required: true }]}>
            <InputNumber min={1} max={3650} precision={0} style={{ width: 100 }} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={delegate.isPending}>
              {t('delegate')}
            </Button>
          </Form.Item>
        </Form>
      )}
    </Card>
  );
}

/** R-HANDOVER-DESTROY: the holder confirms the clerk's entry; the destruction deadline starts. */
export function ConfirmEntryCard({ f }: { f: FileView }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const refresh = useRefresh(f);
  const failed = useFailed(f);
  const confirm = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/handover-files/{id}/confirm', { params: path(f), body: {} })),
    onSuccess: (next) => {
      message.success(t('confirmEntryDone'));
      refresh(next);
    },
    onError: (err) => failed(err),
  });
  return (
    <Card title={h2(t('confirmEntry'))}>
      <Typography.Paragraph>{t('confirmEntryIntro')}</Typography.Paragraph>
      <Button type="primary" loading={confirm.isPending} onClick={() => confirm.mutate()}>
        {t('confirmEntry')}
      </Button>
    </Card>
  );
}

/**
 * R-HANDOVER-DESTROY: the holder records the destruction naming a witness (people picker:
 * handover_file:witness in the project, never the holder); before the entry's confirmation only
 * with a reason. Nothing is destroyed until the witness confirms in their own session.
 */
export function DestroyCard({ f, witnesses }: { f: FileView; witnesses: Person[] }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const [form] = Form.useForm<{ witnessUserId: number; reason?: string }>();
  const refresh = useRefresh(f);
  const failed = useFailed(f);
  const early = f.status !== 'pending_destruction';
  const record = useMutation({
    mutationFn: (body: { witnessUserId: number; reason?: string }) =>
      unwrap(api.POST('/api/v1/handover-files/{id}/destroy', { params: path(f), body: { witnessUserId: body.witnessUserId, ...(body.reason?.trim() ? { reason: body.reason.trim() } : {}) } })),
    onSuccess: (next) => {
      message.success(t('destructionRecorded'));
      form.resetFields();
      refresh(next);
    },
    onError: (err) => failed(err, form),
  });
  const req = f.destructionRequest;
  const pending = f.pendingDestruction?.state === 'pending' && req;
  return (
    <Card title={h2(t('destruction'))}>
      <Typography.Paragraph type="secondary">{t('destructionIntro')}</Typography.Paragraph>
      {pending ? (
        <Alert
          type="warning"
          showIcon
          message={t('pendingWitness', { name: req.confirmer ? personLabel(req.confirmer) : '', due: formatDateTime(req.dueAt) })}
        />
      ) : (
        <>
          {f.pendingDestruction?.state === 'expired' && <Alert style={{ marginBottom: 12 }} type="info" showIcon message={t('expiredWitness', { due: formatDateTime(f.pendingDestruction.dueAt) })} />}
          <Form form={form} layout="vertical" style={{ maxWidth: 520 }} onFinish={(v) => record.mutate(v)}>
            <Form.Item name="witnessUserId" label={t('witness')} rules={[{ required: true, message: t('chooseWitness') }]}>
              <PersonSelect placeholder={t('chooseWitness')} people={witnesses} />
            </Form.Item>
            <Form.Item
              name="reason"
              label={t('reason')}
              extra={early ? t('reasonEarly') : undefined}
              rules={early ? [{ required: true, min: 5, max: 500 }] : [{ max: 500 }]}
            >
              <Input.TextArea rows={2} maxLength={500} />
            </Form.Item>
            <Button type="primary" danger htmlType="submit" loading={record.isPending}>
              {t('recordDestruction')}
            </Button>
          </Form>
        </>
      )}
    </Card>
  );
}
