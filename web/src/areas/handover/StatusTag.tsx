import { Tag } from 'antd';
import type { FileStatus } from './api';
import type { HandoverT } from './messages';

const COLORS: Record<FileStatus, string> = { held: 'blue', entry_reported: 'purple', pending_destruction: 'magenta', destroyed: 'default' };

/** A file's status, with "awaiting witness" when a destruction is recorded and not yet confirmed. */
export function StatusTag({ status, pending, t }: { status: FileStatus; pending?: 'pending' | 'expired' | null; t: HandoverT }) {
  return (
    <>
      <Tag color={COLORS[status]}>{t(status)}</Tag>
      {pending === 'pending' && <Tag color="red">{t('awaitingWitness')}</Tag>}
    </>
  );
}
