import { defineKinds, MessageParams } from '../message';

/**
 * Message kinds of the notification administration itself (issue 13). See ../message.ts.
 * Params: the robot's id only (its name is the IT admin's free text, and stays out of messages).
 */

const s = (p: MessageParams, k: string): string => String(p[k] ?? '');

export const adminKinds = defineKinds([
  {
    kind: 'system.robot_test',
    title: { 'zh-Hant': '群組機器人測試訊息', en: 'Group robot test message' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `群組機器人 #${s(p, 'robotId')} 測試訊息`,
        body: `這是 Custodian 發給群組機器人 #${s(p, 'robotId')} 的測試訊息。收到即表示設定正確；此群組今後會收到所屬部門或專案的通知（不含任何客戶資料）。`,
      }),
      en: (p) => ({
        subject: `Group robot #${s(p, 'robotId')} test message`,
        body: `This is a test message from Custodian to group robot #${s(p, 'robotId')}. If it arrived, the robot is set up correctly: this group will receive the notifications of its department or project (never any customer information).`,
      }),
    },
    link: () => '/inbox',
    sample: { robotId: 3 },
  },
]);
