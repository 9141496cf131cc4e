import { Alert, Button, Card, Col, Empty, Flex, Row, Skeleton, Tag, Typography } from 'antd';
import { ReloadOutlined, RightOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { formatDate, formatDateTime } from '../../i18n/format';
import { useLocale } from '../../i18n/locale';
import { useMessages } from '../../i18n/messages';
import { toneStyle } from '../../shared/tone';
import { kindTitles, messages } from './messages';
import { listPath, refPath } from './workLinks';
import type { WorkItem, WorkRef } from './workTypes';

export const MY_WORK_KEY = ['me', 'work'] as const;

// AA contrast on white and on the tag's own tint (antd's plain red/orange text is below 4.5:1).
const RED = toneStyle('red');
const ORANGE = toneStyle('orange');

const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

/** A local day (rectifications, cases) is overdue once it has passed; an instant once it is reached. */
function refOverdue(due: string | undefined, now: Date): boolean {
  if (!due) return false;
  return isDay(due) ? due < formatDate(now) : Date.parse(due) <= now.getTime();
}

function RefLine({ item, r, now }: { item: WorkItem; r: WorkRef; now: Date }) {
  const t = useMessages(messages);
  const late = refOverdue(r.due, now);
  return (
    <li style={{ padding: '4px 0' }}>
      <Flex gap={8} wrap align="center">
        <Link to={refPath(item.kind, r.id)}>{r.label}</Link>
        {r.due && (
          <Typography.Text type="secondary" style={{ fontSize: 13 }}>
            {t('due', { date: isDay(r.due) ? formatDate(r.due) : formatDateTime(r.due) })}
          </Typography.Text>
        )}
        {late && (
          <Tag style={RED} variant="outlined">
            {t('refOverdue')}
          </Tag>
        )}
      </Flex>
    </li>
  );
}

function WorkCard({ item, now }: { item: WorkItem; now: Date }) {
  const t = useMessages(messages);
  const { pick } = useLocale();
  const title = pick(kindTitles[item.kind]);
  const more = item.count - item.refs.length;
  return (
    <Card
      size="small"
      data-kind={item.kind}
      title={<h3 style={{ fontSize: 15, margin: 0, whiteSpace: 'normal' }}>{title}</h3>}
      extra={
        <Typography.Text strong style={{ fontSize: 18 }} data-testid="work-count">
          {item.count}
        </Typography.Text>
      }
      style={{ height: '100%' }}
    >
      {(!!item.overdue || !!item.dueSoon) && (
        <Flex gap={8} wrap style={{ marginBottom: 8 }}>
          {!!item.overdue && (
            <Tag style={RED} variant="outlined">
              {t('overdue', { count: item.overdue })}
            </Tag>
          )}
          {!!item.dueSoon && (
            <Tag style={ORANGE} variant="outlined">
              {t('dueSoon', { count: item.dueSoon })}
            </Tag>
          )}
        </Flex>
      )}
      <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {item.refs.map((r) => (
          <RefLine key={String(r.id)} item={item} r={r} now={now} />
        ))}
      </ul>
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginTop: 8 }}>
        <Typography.Text type="secondary" style={{ fontSize: 13 }}>
          {more > 0 ? t('more', { count: more }) : ''}
        </Typography.Text>
        <Link to={listPath(item.kind, item.refs)} aria-label={t('openListOf', { kind: title })} data-testid="work-open">
          {t('openList')} <RightOutlined />
        </Link>
      </Flex>
    </Card>
  );
}

/** "Waiting for you": GET /api/v1/me/work, one card per kind with something waiting. */
export function WorkSection() {
  const t = useMessages(messages);
  const q = useQuery({ queryKey: MY_WORK_KEY, queryFn: () => unwrap(api.GET('/api/v1/me/work')) });
  const now = new Date(q.dataUpdatedAt || Date.now());
  return (
    <section aria-labelledby="my-work-heading" style={{ marginBottom: 24 }}>
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 12 }}>
        <Typography.Title level={2} id="my-work-heading" style={{ fontSize: 18, margin: 0 }}>
          {t('waiting')}
          {q.data && q.data.total > 0 && (
            <Typography.Text type="secondary" style={{ fontSize: 14, fontWeight: 'normal', marginInlineStart: 8 }}>
              {t('waitingTotal', { count: q.data.total })}
            </Typography.Text>
          )}
        </Typography.Title>
        <Button icon={<ReloadOutlined />} loading={q.isFetching} onClick={() => void q.refetch()}>
          {t('refresh')}
        </Button>
      </Flex>
      {q.isPending ? (
        <Skeleton active />
      ) : q.isError ? (
        <Alert
          type="error"
          showIcon
          title={t('loadFailed')}
          description={q.error.message}
          action={
            <Button size="small" onClick={() => void q.refetch()}>
              {t('retry')}
            </Button>
          }
        />
      ) : q.data.items.length === 0 ? (
        <Card>
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('nothingWaiting')} />
        </Card>
      ) : (
        <Row gutter={[16, 16]}>
          {q.data.items.map((item) => (
            <Col key={item.kind} xs={24} md={12} xl={8}>
              <WorkCard item={item} now={now} />
            </Col>
          ))}
        </Row>
      )}
    </section>
  );
}
