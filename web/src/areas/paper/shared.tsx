import { useState } from 'react';
import { Form, Input, Modal, type TableColumnsType } from 'antd';
import { useMessages } from '../../i18n/messages';
import { applyApiErrors, type ConflictReload } from '../../forms/apiErrors';
import { ToneTag, type Tone } from '../../shared/tone';
import { messages } from './messages';
import type { CopyStatus, RequestStatus } from './types';

/** The states' AA tones (shared/tone). */
const COPY_TONE: Record<CopyStatus, Tone> = {
  awaiting_signature: 'gold',
  issued: 'blue',
  overdue: 'red',
  pending_receipt: 'purple',
  pending_witness: 'purple',
  confirmation_expired: 'orange',
  returned: 'cyan',
  destroyed: 'grey',
  lost: 'magenta',
};
const REQUEST_TONE: Record<RequestStatus, Tone> = { pending: 'gold', approved: 'green', rejected: 'red', cancelled: 'grey' };

export function CopyStatusTag({ status }: { status: CopyStatus }) {
  const t = useMessages(messages);
  return <ToneTag tone={COPY_TONE[status]}>{t(`cs_${status}`)}</ToneTag>;
}

export function RequestStatusTag({ status }: { status: RequestStatus }) {
  const t = useMessages(messages);
  return <ToneTag tone={REQUEST_TONE[status]}>{t(`rs_${status}`)}</ToneTag>;
}

/**
 * A table's horizontal scroll (narrow windows), only when it has rows: an empty scrolling region
 * holds nothing focusable, which keyboard users cannot scroll (axe scrollable-region-focusable).
 */
export const scrollX = (x: number, rows: readonly unknown[] | undefined) => (rows?.length ? { x } : undefined);

/**
 * The columns, sized (set widths, fixed columns, ellipsis) only when the table has rows, as its
 * horizontal scroll is (scrollX: none while empty, for keyboard users). Set widths that add up to
 * more than the window, kept by an empty table without its scroll, grew the whole page wider than
 * the window (the print requests at 1280 px, the ledger at 800 px), and a dialog's grey overlay
 * then left the overflow uncovered. Use it with scrollX on every paper table with set widths.
 */
export const sized = <T,>(rows: readonly unknown[] | undefined, columns: TableColumnsType<T>): TableColumnsType<T> =>
  rows?.length ? columns : columns.map((c) => ({ ...c, width: undefined, fixed: undefined, ellipsis: undefined }));

/**
 * A modal asking for a reason (reject, decline): `onSubmit` returns a promise; errors stay beside the
 * field. `reload` (useReloadOnConflict): the record's queries, reloaded when someone else decided first (409).
 */
export function ReasonModal({
  open,
  title,
  onCancel,
  onSubmit,
  reload,
}: {
  open: boolean;
  title: string;
  onCancel: () => void;
  onSubmit: (reason: string) => Promise<unknown>;
  reload?: ConflictReload;
}) {
  const t = useMessages(messages);
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open={open}
      title={title}
      okText={t('ok')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      onCancel={onCancel}
      onOk={() =>
        form.validateFields().then(async ({ reason }) => {
          setBusy(true);
          try {
            await onSubmit(reason);
            form.resetFields();
          } catch (err) {
            // 400s beside the field, 403/409 as a message (409: the record reloads behind); the modal stays open with the text.
            applyApiErrors(form, err, { reload });
          } finally {
            setBusy(false);
          }
        })
      }
    >
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="reason" label={t('reason')} extra={t('reasonHelp')} rules={[{ required: true, min: 3, max: 500 }]}>
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
