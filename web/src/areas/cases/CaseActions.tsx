import { useState, type ReactNode } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Flex, Form, Input, InputNumber, Modal, Radio, Select, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { feedback } from '../../components/feedback';
import { applyApiErrors } from '../../forms/apiErrors';
import { roleNames } from '../../i18n/core';
import { formatYuan } from '../../i18n/format';
import { getLocale } from '../../i18n/locale';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { useDepartments } from '../../shared/org';
import { messages } from './messages';
import { CAUSES, CaseView, label, Msg, PROPOSALS } from './shared';

type Action = 'investigate' | 'propose' | 'decide' | 'communicate' | 'close' | 'reopen';

/** The state each step follows (src/features/cases/workflow.ts STEP_FROM) and the permission it needs. */
const STEPS: { action: Action; from: CaseView['status'][]; permission: 'case:handle' | 'case:decide' | 'case:create' }[] = [
  { action: 'investigate', from: ['registered'], permission: 'case:handle' },
  { action: 'propose', from: ['investigating'], permission: 'case:handle' },
  { action: 'decide', from: ['proposed'], permission: 'case:decide' },
  { action: 'communicate', from: ['decided'], permission: 'case:handle' },
  { action: 'close', from: ['communicated'], permission: 'case:handle' },
  { action: 'reopen', from: ['communicated', 'closed'], permission: 'case:create' },
];

const TITLE: Record<Action, Parameters<Msg>[0]> = {
  investigate: 'investigateTitle',
  propose: 'propose',
  decide: 'decideTitle',
  communicate: 'communicate',
  close: 'close',
  reopen: 'reopenTitle',
};

/** A refusal the server gave, said in words (403 names the permission or the approval limit; 409 the state). */
function refusalText(t: Msg, err: unknown): string | null {
  if (!(err instanceof ApiError)) return null;
  if (err.status === 403 && err.code === 'approval_limit_exceeded') {
    // details: { amount, limit (0: none, null: no limit), role, requires: [roles] } (case-steps.ts decide()).
    const d = (err.details ?? {}) as { amount?: number; limit?: number | null; role?: string | null; requires?: string[] };
    if (typeof d.amount !== 'number' || !Array.isArray(d.requires)) return t('refusedLimit', { message: err.message });
    const role = (r: string) => roleNames[r]?.[getLocale()] ?? r;
    const limit = d.role ? `${role(d.role)} ${typeof d.limit === 'number' ? formatYuan(d.limit) : ''}`.trim() : t('noLimit');
    return t('refusedLimit', { message: t('limitDetail', { amount: formatYuan(d.amount), limit, requires: d.requires.map(role).join(t('or')) }) });
  }
  if (err.status === 403) return t('refusedPermission', { permission: err.permission ?? err.text });
  if (err.status === 409) return t('refusedState', { message: err.text });
  return null;
}

/**
 * The workflow steps the case's state and the user's permissions allow (where the case is: its
 * project, the project's department, the responsible department); the server decides, and its
 * 403/409 is shown in words beside the buttons.
 */
export function CaseActions({ c, scopes }: { c: CaseView; scopes: string[] }) {
  const t = useMessages(messages);
  const { can } = useSession();
  const [open, setOpen] = useState<Action | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const offered = STEPS.filter((s) => s.from.includes(c.status) && can(s.permission, scopes));
  return (
    <div>
      {refusal && <Alert type="error" showIcon title={refusal} closable onClose={() => setRefusal(null)} style={{ marginBottom: 12 }} role="alert" />}
      {offered.length ? (
        <Flex gap={8} wrap>
          {offered.map((s, i) => (
            <Button key={s.action} type={i === 0 && s.action !== 'reopen' ? 'primary' : 'default'} onClick={() => (setRefusal(null), setOpen(s.action))}>
              {t(s.action === 'investigate' ? 'investigate' : s.action)}
            </Button>
          ))}
        </Flex>
      ) : (
        <Typography.Text type="secondary">{t('noActions')}</Typography.Text>
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0, fontSize: 12 }}>
        {t('actionsHint')}
      </Typography.Paragraph>
      {open && <StepModal c={c} action={open} onClose={() => setOpen(null)} onRefused={(text) => (setOpen(null), setRefusal(text))} />}
    </div>
  );
}

function StepModal({ c, action, onClose, onRefused }: { c: CaseView; action: Action; onClose: () => void; onRefused: (text: string) => void }) {
  const t = useMessages(messages);
  const [form] = Form.useForm();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const departments = useDepartments();
  const path = { params: { path: { id: String(c.id) } } };
  const step = useMutation({
    mutationFn: (v: Record<string, unknown>) => {
      const text = (k: string) => (typeof v[k] === 'string' && (v[k] as string).trim() ? (v[k] as string).trim() : undefined);
      switch (action) {
        case 'investigate':
          return unwrap(api.POST('/api/v1/cases/{id}/investigate', { ...path, body: { department: v.department as string, cause: v.cause as CaseView['cause'] & string, findings: text('findings') } }));
        case 'propose':
          return unwrap(
            api.POST('/api/v1/cases/{id}/propose', {
              ...path,
              body: { proposal: v.proposal as NonNullable<CaseView['proposal']>, amount: v.proposal === 'rejected' ? null : ((v.amount as number | null | undefined) ?? null), note: text('note') },
            }),
          );
        case 'decide':
          return unwrap(api.POST('/api/v1/cases/{id}/decide', { ...path, body: { approve: v.approve === 'approve', note: text('note') } }));
        case 'communicate':
          return unwrap(api.POST('/api/v1/cases/{id}/communicate', { ...path, body: { result: text('result') ?? '' } }));
        case 'close':
          return unwrap(api.POST('/api/v1/cases/{id}/close', { ...path, body: { lateReason: text('lateReason') } }));
        case 'reopen':
          return unwrap(api.POST('/api/v1/cases/{id}/reopen', { ...path, body: { request: text('request') ?? '', notes: text('notes'), lateReason: text('lateReason') } }));
      }
    },
    onSuccess: (next) => {
      void qc.invalidateQueries({ queryKey: ['cases'] });
      feedback().message.success(t('done', { step: t(action) }));
      onClose();
      if (action === 'reopen') void navigate(`/cases/${next.id}`);
    },
    onError: (err) => {
      const refused = refusalText(t, err);
      if (refused) {
        // The case may have moved on under us (409) or the refusal is final (403): show it and reload the case.
        void qc.invalidateQueries({ queryKey: ['cases'] });
        onRefused(refused);
      } else applyApiErrors(form, err);
    },
  });

  const proposal = Form.useWatch('proposal', form);
  const approve = Form.useWatch('approve', form);
  let fields: ReactNode;
  switch (action) {
    case 'investigate':
      fields = (
        <>
          <Form.Item name="department" label={t('department')} rules={[{ required: true, message: t('departmentRequired') }]}>
            <Select loading={departments.isLoading} options={(departments.data ?? []).map((d) => ({ value: d.code, label: `${d.code} ${d.name}` }))} />
          </Form.Item>
          <Form.Item name="cause" label={t('cause')} rules={[{ required: true, message: t('causeRequired') }]}>
            <Select options={CAUSES.map((v) => ({ value: v, label: label(t, 'ca', v) }))} />
          </Form.Item>
          <Form.Item name="findings" label={t('findings')} rules={[{ max: 4000 }]}>
            <Input.TextArea rows={3} maxLength={4000} />
          </Form.Item>
        </>
      );
      break;
    case 'propose':
      fields = (
        <>
          <Form.Item name="proposal" label={t('proposal')} rules={[{ required: true, message: t('proposalRequired') }]}>
            <Select options={PROPOSALS.map((v) => ({ value: v, label: label(t, 'pr', v) }))} />
          </Form.Item>
          {proposal !== 'rejected' && (
            <Form.Item
              name="amount"
              label={t('amount')}
              rules={[{ required: proposal === 'discount' || proposal === 'compensation', type: 'number', min: 0.01, message: t('amountNeeded') }]}
            >
              <InputNumber min={0} max={20_000_000} precision={2} style={{ width: 200 }} />
            </Form.Item>
          )}
          <Form.Item name="note" label={t('proposalNote')} rules={[{ max: 4000 }]}>
            <Input.TextArea rows={3} maxLength={4000} />
          </Form.Item>
        </>
      );
      break;
    case 'decide':
      fields = (
        <>
          <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('decisionLimitInfo', { amount: c.amount === null ? t('none') : formatYuan(c.amount) })} />
          <Form.Item name="approve" label={t('decide')} initialValue="approve" rules={[{ required: true, message: t('approveRequired') }]}>
            <Radio.Group
              options={[
                { value: 'approve', label: t('approve') },
                { value: 'return', label: t('sendBack') },
              ]}
            />
          </Form.Item>
          <Form.Item name="note" label={t('decisionNote')} rules={[{ required: approve === 'return', whitespace: true, message: t('noteForReturn') }, { max: 4000 }]}>
            <Input.TextArea rows={3} maxLength={4000} />
          </Form.Item>
        </>
      );
      break;
    case 'communicate':
      fields = (
        <Form.Item name="result" label={t('result')} rules={[{ required: true, whitespace: true, message: t('resultRequired') }, { max: 4000 }]}>
          <Input.TextArea rows={4} maxLength={4000} />
        </Form.Item>
      );
      break;
    case 'close':
      fields = (
        <>
          {c.overdue && <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('closeLateInfo')} />}
          <Form.Item name="lateReason" label={t('lateReason')} rules={[{ required: c.overdue, whitespace: true, message: t('lateReasonRequired') }, { max: 2000 }]}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        </>
      );
      break;
    case 'reopen':
      fields = (
        <>
          <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('reopenInfo')} />
          <Form.Item name="request" label={t('request')} rules={[{ required: true, whitespace: true, message: t('requestRequired') }, { max: 4000 }]}>
            <Input.TextArea rows={3} maxLength={4000} />
          </Form.Item>
          <Form.Item name="notes" label={t('notes')} rules={[{ max: 4000 }]}>
            <Input.TextArea rows={2} maxLength={4000} />
          </Form.Item>
          {c.status === 'communicated' && c.overdue && (
            <Form.Item name="lateReason" label={t('lateReason')} rules={[{ required: true, whitespace: true, message: t('lateReasonRequired') }, { max: 2000 }]}>
              <Input.TextArea rows={2} maxLength={2000} />
            </Form.Item>
          )}
        </>
      );
      break;
  }

  return (
    <Modal
      open
      title={`${t(TITLE[action])} · ${c.caseNo}`}
      okText={t(action === 'decide' ? 'decide' : action)}
      cancelText={t('cancel')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={step.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v: Record<string, unknown>) => step.mutate(v)}>
        {fields}
      </Form>
    </Modal>
  );
}
