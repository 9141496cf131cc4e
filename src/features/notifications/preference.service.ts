import { In } from 'typeorm';
import type { AuditWriter } from '../../audit/audit-writer';
import { Database, forUpdate } from '../../db/database';
import { NotificationPreference, type NotificationMode } from '../../entities/NotificationPreference';
import { User, type UserLanguage } from '../../entities/User';
import { FieldIssue, NotFoundError, ValidationError } from '../../errors';
import type { Acting } from '../../api/route';
import { CATALOGUE } from './catalogue';
import { langOf, type Lang } from './message';

export interface KindPreference {
  kind: string;
  title: Record<Lang, string>;
  action: boolean;
  mode: NotificationMode;
  /** The modes the user may choose: a kind that asks them to act cannot be in-app only. */
  modes: NotificationMode[];
}

export interface PreferencesView {
  email: string | null;
  language: UserLanguage;
  kinds: KindPreference[];
}

const ALL_MODES: NotificationMode[] = ['inapp', 'email', 'digest'];
const ACTION_MODES: NotificationMode[] = ['email', 'digest'];
/** No row = e-mail at once (the outbox's default too). */
const DEFAULT_MODE: NotificationMode = 'email';

/**
 * How each user receives each kind of message (issue 13): in-app only, e-mail at once or the
 * daily digest. Every message is in the inbox whatever the mode; a kind that asks the user to act
 * (approve, witness, confirm) keeps its e-mail. Only non-default choices are stored.
 */
export class NotificationPreferenceService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
  ) {}

  async get(userId: number): Promise<PreferencesView> {
    const m = this.db.manager;
    const user = await m.getRepository(User).findOne({ select: { id: true, email: true, language: true }, where: { id: userId } });
    if (!user) throw new NotFoundError('User', userId);
    const rows = await m.getRepository(NotificationPreference).find({ where: { userId } });
    const chosen = new Map(rows.map((r) => [r.kind, r.mode]));
    const kinds = [...CATALOGUE.values()].map((d) => {
      const modes = d.action ? ACTION_MODES : ALL_MODES;
      const stored = chosen.get(d.kind);
      return { kind: d.kind, title: d.title, action: d.action, mode: stored && modes.includes(stored) ? stored : DEFAULT_MODE, modes };
    });
    return { email: user.email ?? null, language: langOf(user.language), kinds };
  }

  /** Sets the listed kinds' modes (the others keep theirs); field-level 400 for an unknown kind or a mode the kind does not allow. */
  async set(actor: Acting, changes: Array<{ kind: string; mode: NotificationMode }>): Promise<PreferencesView> {
    const issues: FieldIssue[] = [];
    const seen = new Set<string>();
    changes.forEach((c, i) => {
      const def = CATALOGUE.get(c.kind);
      if (!def) issues.push({ path: `body.kinds.${i}.kind`, message: `unknown kind ${c.kind}` });
      else if (seen.has(c.kind)) issues.push({ path: `body.kinds.${i}.kind`, message: `${c.kind} is listed twice` });
      else if (def.action && c.mode === 'inapp') {
        issues.push({ path: `body.kinds.${i}.mode`, message: `${c.kind} asks you to act: its e-mail cannot be turned off (email or digest)` });
      }
      seen.add(c.kind);
    });
    if (issues.length) throw new ValidationError('Invalid notification preferences', issues);
    if (changes.length) {
      await this.db.tx(async (m) => {
        // The user's row locked first: two saves of one user's preferences run one after the other.
        await m.getRepository(User).findOne({ select: { id: true }, where: { id: actor.id }, ...forUpdate(this.db.mysql) });
        const repo = m.getRepository(NotificationPreference);
        const kinds = changes.map((c) => c.kind);
        const before = await repo.find({ where: { userId: actor.id, kind: In(kinds) } });
        await repo.delete({ userId: actor.id, kind: In(kinds) });
        const rows = changes.filter((c) => c.mode !== DEFAULT_MODE).map((c) => ({ userId: actor.id, kind: c.kind, mode: c.mode }));
        if (rows.length) await repo.insert(rows);
        await this.audit.append(m, actor, {
          action: 'notification_preferences.updated',
          objectType: 'user',
          objectId: actor.id,
          before: { kinds: before.map((r) => ({ kind: r.kind, mode: r.mode })) },
          after: { kinds: changes },
        });
      });
    }
    return this.get(actor.id);
  }
}
