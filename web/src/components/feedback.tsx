import { App } from 'antd';

type Feedback = ReturnType<typeof App.useApp>;

// antd's message/modal/notification, themed and localized by the ConfigProvider, for code outside
// components (applyApiErrors, showApiError). <FeedbackBridge/> sits inside antd's <App> (App.tsx).
let current: Feedback | null = null;

export function FeedbackBridge() {
  current = App.useApp();
  return null;
}

/** `feedback().message.error('...')`. Components may use antd's App.useApp() directly instead. */
export function feedback(): Feedback {
  if (!current) throw new Error('feedback() before <FeedbackBridge/> mounted');
  return current;
}
