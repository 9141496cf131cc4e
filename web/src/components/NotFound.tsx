import { Button, Result } from 'antd';
import { Link } from 'react-router';
import { core } from '../i18n/core';
import { useMessages } from '../i18n/messages';

export function NotFound() {
  const t = useMessages(core);
  return (
    <Result
      status="404"
      title={<h1 style={{ fontSize: 22, margin: 0 }}>{t('notFoundTitle')}</h1>}
      subTitle={t('notFoundBody')}
      extra={
        <Link to="/">
          <Button type="primary" tabIndex={-1}>
            {t('backHome')}
          </Button>
        </Link>
      }
    />
  );
}
