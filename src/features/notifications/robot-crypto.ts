import type { FieldCipher } from '../../crypto/field-cipher';
import type { NotificationRobot } from '../../entities/NotificationRobot';

/**
 * A robot's webhook URL holds its access token and its secret signs requests: both are stored
 * `<keyId>:<base64>` of the FieldCipher (the key id beside the value, as a key rotation needs),
 * bound to their column (AAD `notification_robot.<field>`), so a value copied elsewhere does not decrypt.
 */
type Field = 'webhookUrl' | 'secret';

export function sealRobotField(cipher: FieldCipher, field: Field, plain: string): string {
  return `${cipher.currentKeyId}:${cipher.encrypt(plain, `notification_robot.${field}`)}`;
}

export function openRobotField(cipher: FieldCipher, field: Field, stored: string): string {
  const i = stored.indexOf(':');
  return cipher.decrypt(stored.slice(i + 1), `notification_robot.${field}`, stored.slice(0, i));
}

/** The plain webhook URL and signing secret of a robot, for the delivery worker (never for an answer). */
export function robotCredentials(cipher: FieldCipher, robot: Pick<NotificationRobot, 'webhookUrl' | 'secret'>): { webhookUrl: string; secret: string | null } {
  return { webhookUrl: openRobotField(cipher, 'webhookUrl', robot.webhookUrl), secret: robot.secret === null ? null : openRobotField(cipher, 'secret', robot.secret) };
}

/**
 * What an answer shows of a webhook URL: the origin and the last four characters, enough to
 * recognise a robot, never enough to post to it (the token is in the path or the query).
 */
export function maskWebhook(url: string): string {
  let origin = '';
  try {
    origin = new URL(url).origin;
  } catch {
    origin = '';
  }
  return `${origin}/…${url.length > 16 ? url.slice(-4) : ''}`;
}
