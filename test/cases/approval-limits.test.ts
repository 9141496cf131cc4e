/**
 * The decision on a case goes to the approver whose authority covers the amount (complaint
 * procedure 第九條(五), 第十一條 核決權限); the limits are configuration (CASE_APPROVAL_LIMITS).
 */
import { DEFAULT_CASE_APPROVAL_LIMITS, parseApprovalLimits, rolesCovering } from '../../src/features/cases/approval-limits';
import { advanceCase, CaseOrg, makeCaseOrg, registerCase } from '../helpers/case-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

describe('CASE_APPROVAL_LIMITS', () => {
  test('第十一條 核決權限 (no R-id of its own): the limits parse as role:yuan or role:* and a malformed value names the variable', () => {
    expect(parseApprovalLimits(DEFAULT_CASE_APPROVAL_LIMITS)).toEqual([
      { role: 'project_manager', limitFen: 50_000 },
      { role: 'dept_head', limitFen: 500_000 },
      { role: 'general_manager', limitFen: null },
    ]);
    expect(parseApprovalLimits(' project_manager : 99.5 , general_manager:*')).toEqual([
      { role: 'project_manager', limitFen: 9_950 },
      { role: 'general_manager', limitFen: null },
    ]);
    expect(() => parseApprovalLimits('project_manager=500')).toThrow(/CASE_APPROVAL_LIMITS: "project_manager=500"/);
    expect(() => parseApprovalLimits('dept_head:5000,dept_head:10')).toThrow(/CASE_APPROVAL_LIMITS: role dept_head is listed twice/);
    expect(() => parseApprovalLimits(' , ')).toThrow(/CASE_APPROVAL_LIMITS/);
    expect(() => parseApprovalLimits('project_manager:-5')).toThrow(/CASE_APPROVAL_LIMITS/);
    expect(rolesCovering(parseApprovalLimits(DEFAULT_CASE_APPROVAL_LIMITS), 500_01).map((l) => l.role)).toEqual(['dept_head', 'general_manager']);
    expect(rolesCovering(parseApprovalLimits(DEFAULT_CASE_APPROVAL_LIMITS), 50_000).map((l) => l.role)).toEqual(['project_manager', 'dept_head', 'general_manager']);
  });

  describe('configured limits are enforced', () => {
    let t: TestApp;
    let org: CaseOrg;
    beforeAll(async () => {
      // The project manager up to 100 yuan, the general manager without limit; department heads not listed.
      t = await startTestApp({ env: { CASE_APPROVAL_LIMITS: 'project_manager:100,general_manager:*' } });
      org = await makeCaseOrg(t);
    });
    afterAll(async () => {
      await t?.close();
    });

    const decide = (who: keyof Pick<CaseOrg, 'pm' | 'head' | 'gm'>, id: number) => t.http().post(`/api/v1/cases/${id}/decide`).set('Authorization', org[who].auth).send({});

    test('第十一條 核決權限 (no R-id of its own): the configured limit decides (100.00 yes, 100.01 no); a role with case:decide but no configured limit decides nothing, not even a proposal without an amount', async () => {
      const within = await registerCase(t, org.staff, org.project, org.customerId);
      await advanceCase(t, org, within.id, 'proposed', { amount: 100 });
      expect((await decide('pm', within.id)).body).toMatchObject({ status: 'decided', decidedAs: 'project_manager (100.00)' });

      const above = await registerCase(t, org.staff, org.project, org.customerId);
      await advanceCase(t, org, above.id, 'proposed', { amount: 100.01 });
      const refused = await decide('pm', above.id);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'approval_limit_exceeded', details: { amount: 100.01, limit: 100, role: 'project_manager', requires: ['general_manager'] } });
      const head = await decide('head', above.id);
      expect(head.status).toBe(403);
      expect(head.body.error).toMatchObject({ code: 'approval_limit_exceeded', details: { limit: 0, role: null } });
      expect(head.body.error.message).toMatch(/no role of yours has an approval limit/);
      expect((await decide('gm', above.id)).body).toMatchObject({ status: 'decided', decidedAs: 'general_manager (no limit)' });

      const rejectedComplaint = await registerCase(t, org.staff, org.project, org.customerId);
      await advanceCase(t, org, rejectedComplaint.id, 'investigating');
      await t.ctx.cases.propose({ id: org.pm.id, username: org.pm.username }, rejectedComplaint.id, { proposal: 'rejected' });
      expect((await decide('head', rejectedComplaint.id)).status).toBe(403);
    });
  });
});
