import { useState } from 'react';
import { DownloadOutlined, EyeOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Flex, Result, Skeleton, Space, Typography } from 'antd';
import { useNavigate, useParams } from 'react-router';
import { api, download, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { NotFound } from '../../components/NotFound';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { showApiError } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { projectScopes, useProjects } from '../../shared/org';
import { usePeople, type Person } from '../../shared/people';
import { type Destruction, type FileMeta, formatBytes, isFullView, keys, nameOf, useClerks, useMyConfirmations, useMyDelegations } from './api';
import { ConfirmEntryCard, DelegationsCard, DestroyCard } from './HolderPanels';
import { messages, type HandoverT } from './messages';
import { ClerkCard, WitnessCard } from './RolePanels';
import { StatusTag } from './StatusTag';

/**
 * /handover/:id — one handover file, as the caller's part in it allows (R-HANDOVER-HOLD,
 * R-HANDOVER-DESTROY): the named witness confirms or declines a recorded destruction; the clerk
 * it is delegated to views it and reports the entry; the holding lead sees everything but the
 * content and delegates, confirms and records the destruction; the IT admin and auditors see
 * metadata. A destroyed file shows its destruction record.
 */
export default function HandoverFilePage() {
  const t = useMessages(messages);
  const id = Number(useParams().id);
  const { can, user } = useSession();
  const [witnessed, setWitnessed] = useState<Destruction | null>(null);
  const valid = Number.isInteger(id) && id > 0;
  const confirmations = useMyConfirmations(valid && can('handover_file:witness'));
  const isClerk = can('handover_file:confirm_entry');
  const mine = useMyDelegations(valid && isClerk);
  const serial = `HF-${id}`;
  const awaiting = confirmations.data?.find((c) => c.serial === serial) ?? null;
  const delegation = mine.data?.find((d) => d.file.id === id) ?? null;
  const decided = !confirmations.isLoading && !mine.isLoading;
  // A witness or a clerk acts through their own lists: asking for the file would be a recorded refusal.
  const asReader = valid && decided && !awaiting && !delegation && can('handover_file:read');
  // One answer either way: the file as the caller may see it, or its destruction record once destroyed.
  const rec = useQuery({
    queryKey: keys.file(id),
    queryFn: () => unwrap(api.GET('/api/v1/handover-files/{id}/record', { params: { path: { id: String(id) } } })),
    enabled: asReader,
  });
  const destroyed = rec.data?.destroyed ? rec.data.destruction : null;
  const fileData = rec.data && !rec.data.destroyed ? rec.data.file : null;
  const project = fileData?.project ?? destroyed?.project ?? delegation?.file.project ?? awaiting?.project;
  const dept = useProjects().data?.find((p) => p.code === project)?.departmentCode;
  const witnesses = usePeople('handover_file:witness', project && `project:${project}`, {
    enabled: !!project && can('user:pick', projectScopes({ code: project, departmentCode: dept ?? null })),
  });
  const clerks = useClerks(id, !!fileData && isFullView(fileData) && fileData.status !== 'destroyed');
  const people: Person[] = [...(witnesses.data ?? []), ...(clerks.data ?? []), { id: user.id, username: user.username, displayName: user.displayName }];

  if (!valid) return <NotFound />;
  const title = t('detailTitle', { serial });
  const frame = (body: React.ReactNode) => (
    <PageContainer title={title} breadcrumb={[{ title: t('listTitle'), path: can('handover_file:read') ? '/handover' : undefined }, { title: serial }]}>
      {body}
    </PageContainer>
  );

  if (witnessed || destroyed) {
    return frame(
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Alert type="info" showIcon message={t('destroyedNotice')} />
        <DestructionRecord d={(witnessed ?? destroyed)!} people={people} t={t} />
      </Space>,
    );
  }
  if (awaiting) return frame(<WitnessCard c={awaiting} fileId={id} onDestroyed={setWitnessed} />);
  if (delegation) return frame(<ClerkCard d={delegation} />);
  if (!decided || rec.isLoading) return frame(<Skeleton active />);
  if (rec.error) {
    const err = rec.error instanceof ApiError ? rec.error : null;
    if (err?.status === 404) return <NotFound />;
    return frame(<Result status="403" title={t('notAvailable')} subTitle={err?.text ?? t('notAvailableIntro')} />);
  }
  if (!fileData) return frame(<Result status="403" title={t('notAvailable')} subTitle={t('notAvailableIntro')} />);

  const f = fileData;
  return frame(
    <Watermark>
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <FileDetails f={f} people={people} t={t} />
        {isFullView(f) ? (
          <>
            <DelegationsCard f={f} />
            {f.status === 'entry_reported' && <ConfirmEntryCard f={f} />}
            <DestroyCard f={f} witnesses={(witnesses.data ?? []).filter((w) => w.id !== user.id)} />
          </>
        ) : (
          <Alert type="info" showIcon message={t('metaOnly')} />
        )}
      </Space>
    </Watermark>,
  );
}

function FileDetails({ f, people, t }: { f: FileMeta; people: Person[]; t: HandoverT }) {
  const full = isFullView(f) ? f : null;
  const navigate = useNavigate();
  return (
    <Card
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('details')}</h2>}
      extra={
        full && (
          <Flex gap={8} wrap>
            <Button icon={<EyeOutlined />} onClick={() => void navigate(`/handover/${f.id}/view`)}>
              {t('viewFile')}
            </Button>
            <Button icon={<DownloadOutlined />} onClick={() => download(`/api/v1/handover-files/${f.id}/download`).catch(showApiError)}>
              {t('downloadOriginal')}
            </Button>
          </Flex>
        )
      }
    >
      <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
        <Descriptions.Item label={t('serial')}>{f.serial}</Descriptions.Item>
        <Descriptions.Item label={t('project')}>{f.project}</Descriptions.Item>
        <Descriptions.Item label={t('fileName')}>{f.fileName}</Descriptions.Item>
        <Descriptions.Item label={t('format')}>{f.format.toUpperCase()}</Descriptions.Item>
        <Descriptions.Item label={t('size')}>{formatBytes(f.byteSize)}</Descriptions.Item>
        <Descriptions.Item label={t('status')}>
          <StatusTag status={f.status} pending={f.pendingDestruction?.state} t={t} />
        </Descriptions.Item>
        <Descriptions.Item label={t('holder')}>{nameOf(people, f.holderId)}</Descriptions.Item>
        <Descriptions.Item label={t('uploadedAt')}>{formatDateTime(f.uploadedAt)}</Descriptions.Item>
        {full?.entry && (
          <Descriptions.Item label={t('entry')} span={2}>
            {t('entryBy', { name: nameOf(people, full.entry.reportedById), records: full.entry.records, at: formatDateTime(full.entry.reportedAt) })}
            {full.entry.note ? ` — ${full.entry.note}` : ''}
          </Descriptions.Item>
        )}
        {f.confirmedAt && <Descriptions.Item label={t('confirmedAt')}>{formatDateTime(f.confirmedAt)}</Descriptions.Item>}
        {f.destructionDeadline && <Descriptions.Item label={t('deadline')}>{formatDateTime(f.destructionDeadline)}</Descriptions.Item>}
        <Descriptions.Item label={t('sha256')} span={2}>
          <Typography.Text code style={{ wordBreak: 'break-all' }}>
            {f.sha256}
          </Typography.Text>
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

/** R-HANDOVER-DESTROY: what was destroyed, by whom, supervised and witnessed by whom, when and how. */
export function DestructionRecord({ d, people, t }: { d: Destruction; people: Person[]; t: HandoverT }) {
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('destructionRecord')}</h2>}>
      <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
        <Descriptions.Item label={t('serial')}>{d.serial}</Descriptions.Item>
        <Descriptions.Item label={t('project')}>{d.project}</Descriptions.Item>
        <Descriptions.Item label={t('fileName')}>{d.fileName}</Descriptions.Item>
        <Descriptions.Item label={t('size')}>{formatBytes(d.byteSize)}</Descriptions.Item>
        <Descriptions.Item label={t('destroyedAt')}>{formatDateTime(d.destroyedAt)}</Descriptions.Item>
        <Descriptions.Item label={t('statusBefore')}>{d.statusBefore in messages.en ? t(d.statusBefore as 'held') : d.statusBefore}</Descriptions.Item>
        <Descriptions.Item label={t('destroyedBy')}>{nameOf(people, d.destroyedById)}</Descriptions.Item>
        <Descriptions.Item label={t('supervisor')}>{nameOf(people, d.supervisorId)}</Descriptions.Item>
        <Descriptions.Item label={t('witness')}>{nameOf(people, d.witnessId)}</Descriptions.Item>
        <Descriptions.Item label={t('witnessConfirmedAt')}>{formatDateTime(d.witnessConfirmedAt)}</Descriptions.Item>
        <Descriptions.Item label={t('requestedAt')}>{formatDateTime(d.requestedAt)}</Descriptions.Item>
        <Descriptions.Item label={t('bytesShreddedAt')}>{formatDateTime(d.bytesShreddedAt)}</Descriptions.Item>
        {d.reason && (
          <Descriptions.Item label={t('reason')} span={2}>
            {d.reason}
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('method')} span={2}>
          {d.method}
        </Descriptions.Item>
        <Descriptions.Item label={t('sha256')} span={2}>
          <Typography.Text code style={{ wordBreak: 'break-all' }}>
            {d.sha256}
          </Typography.Text>
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
