import { Table } from 'antd';
import { Link } from 'react-router';
import { PageContainer } from '../../components/PageContainer';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { personLabel } from '../../shared/people';
import { type MyConfirmation, useMyConfirmations } from './api';
import { messages } from './messages';

/** /handover/witness — handover file destructions naming the caller as witness, awaiting their confirmation (R-HANDOVER-DESTROY). */
export default function WitnessPage() {
  const t = useMessages(messages);
  const list = useMyConfirmations();
  return (
    <PageContainer title={t('witnessListTitle')} description={t('witnessListIntro')}>
      <Table<MyConfirmation>
        rowKey="id"
        scroll={{ x: 700 }}
        loading={list.isLoading}
        dataSource={list.data ?? []}
        pagination={false}
        locale={{ emptyText: t('noWitness') }}
        columns={[
          { title: t('serial'), dataIndex: 'serial', render: (s: string) => <Link to={`/handover/${s.replace(/^HF-/, '')}`}>{s}</Link> },
          { title: t('project'), dataIndex: 'project' },
          { title: t('requestedBy'), key: 'by', render: (_: unknown, c) => (c.requestedBy ? personLabel(c.requestedBy) : '') },
          { title: t('requestedAt'), dataIndex: 'requestedAt', render: formatDateTime },
          { title: t('dueAt'), dataIndex: 'dueAt', render: formatDateTime },
        ]}
      />
    </PageContainer>
  );
}
