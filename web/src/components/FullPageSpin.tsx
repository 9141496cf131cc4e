import { Flex, Spin } from 'antd';
import { core } from '../i18n/core';
import { useMessages } from '../i18n/messages';

export function FullPageSpin() {
  const t = useMessages(core);
  return (
    <Flex align="center" justify="center" style={{ minHeight: '60vh' }} role="status">
      <Spin description={t('loading')} />
    </Flex>
  );
}
