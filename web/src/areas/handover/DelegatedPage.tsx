import { Table } from 'antd';
import { Link } from 'react-router';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { type MyDelegation, useMyDelegations } from './api';
import { messages } from './messages';
import { StatusTag } from './StatusTag';

/** /handover/delegated — the files a lead lets the caller (an information clerk) view now (R-HANDOVER-HOLD). */
export default function DelegatedPage() {
  const t = useMessages(messages);
  const mine = useMyDelegations();
  return (
    <PageContainer title={t('delegatedTitle')} description={t('delegatedIntro')}>
      <Watermark>
        <Table<MyDelegation>
          rowKey="id"
          scroll={{ x: 800 }}
          loading={mine.isLoading}
          dataSource={mine.data ?? []}
          pagination={false}
          locale={{ emptyText: t('noDelegated') }}
          columns={[
            { title: t('serial'), key: 'serial', render: (_: unknown, d) => <Link to={`/handover/${d.file.id}`}>{d.file.serial}</Link> },
            { title: t('project'), key: 'project', render: (_: unknown, d) => d.file.project },
            { title: t('fileName'), key: 'fileName', render: (_: unknown, d) => d.file.fileName },
            { title: t('format'), key: 'format', render: (_: unknown, d) => d.file.format.toUpperCase() },
            { title: t('status'), key: 'status', render: (_: unknown, d) => <StatusTag status={d.file.status} t={t} /> },
            { title: t('expiresAt'), dataIndex: 'expiresAt', render: formatDateTime },
          ]}
        />
      </Watermark>
    </PageContainer>
  );
}
